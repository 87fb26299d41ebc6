/** In-app navigation: a view asks the app shell to show another path (without a page load). */
export const NAVIGATE_EVENT = 'meshpad-navigate';

export function requestNavigation(from: EventTarget, path: string): void {
  from.dispatchEvent(new CustomEvent<string>(NAVIGATE_EVENT, { detail: path, bubbles: true, composed: true }));
}
