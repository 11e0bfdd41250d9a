/** Chat delivery's timers: the shared injectable timers of common/timers.ts under delivery's names. */
import { realTimers, type Timers } from '../../../common';

export type DeliveryTimers = Timers;
export const realDeliveryTimers: DeliveryTimers = realTimers;
