/**
 * Changing who is in the street and who is trusted. A change the street's rules let this
 * household make alone is recorded at once; otherwise it says whose co-signature is missing and
 * gives a request text to send to trusted neighbours, and takes their co-signatures back.
 */
import { createSignal, Show, type JSX } from 'solid-js';
import type { GovernanceOutcome, MemberRow } from '../../../../src-main/runtime/api';
import { trpc } from '../../trpc';
import { Button } from '../../ui/Button';
import { plainError, type PlainError } from '../../ui/errors';
import { TextArea, TextField } from '../../ui/Field';
import { ErrorState } from '../../ui/states';
import {
  describeRequest,
  parseRequest,
  parseSignatures,
  requestText,
  signatureText,
  type CoSignature,
  type CosignRequest,
} from './cosign-text';

/** One change in progress for a member: confirm, record or gather co-signatures. */
export function ChangeMember(props: {
  member: MemberRow;
  request: CosignRequest;
  onDone: () => void;
  onClose: () => void;
}): JSX.Element {
  const [reason, setReason] = createSignal('');
  const [outcome, setOutcome] = createSignal<GovernanceOutcome | null>(null);
  const [pasted, setPasted] = createSignal('');
  const [pasteError, setPasteError] = createSignal<string | null>(null);
  const [error, setError] = createSignal<PlainError | null>(null);
  const [busy, setBusy] = createSignal(false);
  const request = (): CosignRequest => ({
    ...props.request,
    reason: props.request.action === 'revoke' ? reason().trim() || undefined : undefined,
  });

  const apply = async (signatures: readonly CoSignature[]) => {
    setError(null);
    setBusy(true);
    try {
      const r = request();
      const o = await trpc.governance.mutate({
        action: r.action,
        nodeId: r.nodeId,
        level: r.level,
        reason: r.reason,
        signatures: [...signatures],
      });
      setOutcome(o);
      if (o.done) props.onDone();
    } catch (err) {
      setError(plainError(err));
    } finally {
      setBusy(false);
    }
  };
  const addSignatures = () => {
    const got = parseSignatures(pasted());
    if (typeof got === 'string') return setPasteError(got);
    setPasteError(null);
    void apply([...(outcome()?.signatures ?? []), ...got]);
  };

  return (
    <div class="card change-member" role="group" aria-label={`Change ${props.member.name}`}>
      <p>
        You are about to <strong>{describeRequest(request())}</strong>.
      </p>
      <Show when={props.request.action === 'revoke' && !outcome()}>
        <TextField
          label="Why (your neighbours see this)"
          hint="For example: moved away, lost their computer."
          value={reason()}
          onInput={(e) => setReason(e.currentTarget.value)}
          maxLength={500}
        />
      </Show>
      <Show
        when={outcome()}
        fallback={
          <div class="row">
            <Button
              variant={props.request.action === 'revoke' ? 'danger' : 'primary'}
              busy={busy()}
              busyLabel="Recording…"
              onClick={() => void apply([])}
            >
              {props.request.action === 'revoke' ? `Remove ${props.member.name}` : 'Confirm'}
            </Button>
            <Button variant="quiet" onClick={() => props.onClose()}>
              Cancel
            </Button>
          </div>
        }
      >
        {(o) => (
          <Show
            when={!o().done}
            fallback={
              <p role="status" class="ok-text">
                ✓ Done: the street now knows. Every household follows it as soon as it hears.
              </p>
            }
          >
            <p role="status">Not yet: your street asks for more trusted neighbours to agree. {o().message}</p>
            <p>
              Send this request to a trusted neighbour (by chat or on paper). They paste it in their Settings under “A
              neighbour asked you to co-sign”.
            </p>
            <TextArea label="Request to send" value={requestText(request())} readOnly class="paste-box" />
            <TextArea
              label="Paste the co-signatures you got back"
              value={pasted()}
              onInput={(e) => setPasted(e.currentTarget.value)}
              error={pasteError()}
            />
            <div class="row">
              <Button variant="primary" busy={busy()} busyLabel="Recording…" onClick={addSignatures}>
                Add co-signatures and try again
              </Button>
              <Button variant="quiet" onClick={() => props.onClose()}>
                Close
              </Button>
            </div>
          </Show>
        )}
      </Show>
      <Show when={error()}>{(e) => <ErrorState error={e()} />}</Show>
    </div>
  );
}

/** A neighbour's request pasted here: said back in words, then co-signed on this household's say-so. */
export function CosignBox(): JSX.Element {
  const [text, setText] = createSignal('');
  const [request, setRequest] = createSignal<CosignRequest | null>(null);
  const [parseError, setParseError] = createSignal<string | null>(null);
  const [signed, setSigned] = createSignal<string | null>(null);
  const [error, setError] = createSignal<PlainError | null>(null);
  const read = () => {
    const r = parseRequest(text());
    setSigned(null);
    if (typeof r === 'string') return (setParseError(r), setRequest(null));
    setParseError(null);
    setRequest(r);
  };
  const sign = async () => {
    const r = request();
    if (!r) return;
    setError(null);
    try {
      const s = await trpc.cosign.mutate({ action: r.action, nodeId: r.nodeId, level: r.level, reason: r.reason });
      setSigned(signatureText(s));
    } catch (err) {
      setError(plainError(err));
    }
  };
  return (
    <details class="details cosign-box">
      <summary>A neighbour asked you to co-sign</summary>
      <div class="details-body settings-grid">
        <TextArea
          label="Paste their request"
          value={text()}
          onInput={(e) => setText(e.currentTarget.value)}
          error={parseError()}
        />
        <div class="row">
          <Button onClick={read}>Read the request</Button>
        </div>
        <Show when={request()}>
          {(r) => (
            <>
              <p>
                They ask you to agree to <strong>{describeRequest(r())}</strong>. Only agree if you know this is right.
              </p>
              <Button variant="primary" onClick={() => void sign()}>
                I agree: co-sign
              </Button>
            </>
          )}
        </Show>
        <Show when={signed()}>
          {(s) => <TextArea label="Your co-signature: send this back to them" value={s()} readOnly class="paste-box" />}
        </Show>
        <Show when={error()}>{(e) => <ErrorState error={e()} />}</Show>
      </div>
    </details>
  );
}
