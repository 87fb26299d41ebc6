/** DOM events the peer list and driver bar dispatch (bubbling, composed) for FollowController. */
export const FollowEvent = {
  follow: 'meshpad-follow',
  followDriver: 'meshpad-follow-driver',
  unfollow: 'meshpad-unfollow',
  makeDriver: 'meshpad-make-driver',
  takeOver: 'meshpad-take-over',
} as const;
export type FollowEvent = (typeof FollowEvent)[keyof typeof FollowEvent];

/** `detail.peer` names the peer for `follow` and `makeDriver`. */
export function followEvent(type: FollowEvent, peer?: string): CustomEvent<{ peer?: string }> {
  return new CustomEvent(type, { bubbles: true, composed: true, detail: peer === undefined ? {} : { peer } });
}
