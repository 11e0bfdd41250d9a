/**
 * The delivery state a person sees for a message they sent, from what is true: the recipient's
 * receipts in our log, and what the last push of this run achieved (a direct push means their
 * node stored it, before its receipt has travelled back).
 */
import type { ChatRow, DeliveryState } from '..';
import type { ChatMessage } from '../../services/chat';

const OUTCOMES_MAX = 10_000;

/** direct: their node has it; forwarded: a neighbour carries it on; queued: kept here and retried. */
export function stateOfOutcome(delivery: string): DeliveryState {
  return delivery === 'direct' ? 'delivered' : delivery === 'forwarded' ? 'sent' : 'waiting';
}

export class DeliveryStates {
  /** msg_id -> what the push achieved in this run ('direct' | 'forwarded' | 'queued'); bounded. */
  private readonly outcomes = new Map<string, string>();

  /** Records the service's delivery outcome of a send and returns the state it means. */
  remember(msgId: string, delivery: string): DeliveryState {
    this.outcomes.set(msgId, delivery);
    const oldest = this.outcomes.keys().next();
    if (this.outcomes.size > OUTCOMES_MAX && !oldest.done) this.outcomes.delete(oldest.value);
    return stateOfOutcome(delivery);
  }

  of(m: { msg_id: string; delivered_at: string | null; read_at: string | null }): DeliveryState {
    if (m.read_at !== null) return 'read';
    if (m.delivered_at !== null) return 'delivered';
    const o = this.outcomes.get(m.msg_id);
    return o ? stateOfOutcome(o) : 'waiting';
  }

  /** A ChatRow as the app shows it: names, direction and (for ours) the delivery state. */
  row(m: ChatMessage, nameOf: (id: string) => string, us: string): ChatRow {
    return {
      msg_id: m.msg_id,
      event_id: m.event_id,
      lamport: m.lamport,
      sender: m.sender,
      sender_name: nameOf(m.sender),
      recipient: m.recipient,
      recipient_name: nameOf(m.recipient),
      direction: m.sender === us ? 'out' : 'in',
      body: m.body,
      created_at: m.created_at,
      delivered_at: m.delivered_at,
      read_at: m.read_at,
      delivery_state: m.sender === us ? this.of(m) : null,
    };
  }
}
