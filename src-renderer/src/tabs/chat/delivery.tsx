/** Delivery state of a message we sent, in words and a tick mark (never colour alone). */
import type { JSX } from 'solid-js';
import type { DeliveryState } from '../../../../src-main/runtime/api';

export function deliveryText(state: DeliveryState | null, peerName: string): string {
  switch (state) {
    case 'sent':
      return 'Sent — a neighbour is passing it on';
    case 'waiting':
      return `Waiting for ${peerName} to come online`;
    case 'delivered':
      return 'Delivered';
    case 'read':
      return 'Read';
    case null:
      return 'Sending…';
  }
}

const MARK: Record<DeliveryState, string> = { sent: '✓', waiting: '◷', delivered: '✓✓', read: '✓✓' };

export function Delivery(props: { state: DeliveryState | null; peerName: string }): JSX.Element {
  return (
    <span class={`delivery delivery-${props.state ?? 'sending'}`} data-delivery={props.state ?? 'sending'}>
      <span aria-hidden="true">{props.state ? MARK[props.state] : '…'} </span>
      {deliveryText(props.state, props.peerName)}
    </span>
  );
}
