import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron'
import { trayTooltip } from './notifications'

export interface TrayActions {
  show(): void
  quit(): void
  doNotDisturb(): boolean
  setDoNotDisturb(on: boolean): void
}

export class AppTray {
  private readonly tray: Tray

  constructor(
    iconPath: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(iconPath))
    this.tray.on('click', () => actions.show())
    this.setUnread(0)
  }

  setUnread(count: number): void {
    this.tray.setToolTip(trayTooltip(count))
    this.tray.setContextMenu(Menu.buildFromTemplate(this.menu(count)))
  }

  private menu(count: number): MenuItemConstructorOptions[] {
    return [
      { label: count > 0 ? `Show Switchboard (${count} unread)` : 'Show Switchboard', click: () => this.actions.show() },
      { label: 'Do not disturb', type: 'checkbox', checked: this.actions.doNotDisturb(), click: (item) => this.actions.setDoNotDisturb(item.checked) },
      { type: 'separator' },
      { label: 'Quit Switchboard', click: () => this.actions.quit() },
    ]
  }
}
