/**
 * "Join with code": a forgiving text field for `7-amber-lagoon` with word suggestions (tap to
 * complete), then the PAKE exchange (invite-flow.ts) and navigation into the room it unlocks.
 */
import { LitElement, css, html } from 'lit';
import { roomPath } from '../net/room-url.ts';
import { completeJoinCode, joinCodeErrorText, parseJoinCode } from '../invite/join-code.ts';
import { requestNavigation } from './navigate.ts';

export class JoinCodeForm extends LitElement {
  static styles = css`
    :host { display: block; }
    form { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    input { flex: 1 1 12rem; min-width: 0; font: inherit; font-size: 1.1rem; padding: 0.5rem; font-family: ui-monospace, monospace; }
    button { font: inherit; padding: 0.5rem 1rem; min-height: 2.75rem; }
    .suggestions { display: flex; flex-wrap: wrap; gap: 0.3rem; margin-top: 0.4rem; padding: 0; list-style: none; }
    .suggestions button { font-family: ui-monospace, monospace; font-size: 0.9rem; padding: 0.3rem 0.6rem; min-height: 2.25rem; }
    .error { color: #b91c1c; }
    .note { opacity: 0.8; }
  `;

  private value = '';
  private busy = false;
  private error = '';
  private progress = '';

  render() {
    const suggestions = this.busy ? [] : completeJoinCode(this.value, 6);
    return html`
      <form @submit=${this.submit}>
        <input type="text" name="code" aria-label="Join code" placeholder="7-amber-lagoon" autocomplete="off" autocapitalize="none"
          spellcheck="false" enterkeyhint="go" .value=${this.value} ?disabled=${this.busy} @input=${this.onInput} />
        <button type="submit" ?disabled=${this.busy}>Join</button>
      </form>
      ${suggestions.length
        ? html`<ul class="suggestions" aria-label="Suggestions">
            ${suggestions.map((s) => html`<li><button type="button" @click=${() => this.pick(s)}>${s}</button></li>`)}
          </ul>`
        : null}
      ${this.progress ? html`<p class="note" role="status">${this.progress}</p>` : null}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
    `;
  }

  private onInput(event: Event): void {
    this.value = (event.target as HTMLInputElement).value;
    this.error = '';
    this.requestUpdate();
  }

  private pick(suggestion: string): void {
    const words = suggestion.split('-').length - 1;
    // Ready for the next word unless the code is complete.
    this.value = words < 2 ? `${suggestion}-` : suggestion;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector('input')?.focus());
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    const parsed = parseJoinCode(this.value);
    if (!parsed.ok) {
      this.error = joinCodeErrorText(parsed.error);
      this.requestUpdate();
      return;
    }
    this.busy = true;
    this.error = '';
    this.progress = 'Connecting…';
    this.requestUpdate();
    const { joinWithCode, mailboxUrl } = await import('../invite/invite-flow.ts');
    const result = await joinWithCode({
      url: mailboxUrl(location.origin),
      code: parsed.code,
      onProgress: (step) => {
        this.progress = step === 'connecting' ? 'Connecting…' : 'Checking the code with the other device…';
        this.requestUpdate();
      },
    });
    this.busy = false;
    this.progress = '';
    if (result.ok) {
      requestNavigation(this, roomPath(result.room));
      return;
    }
    this.error = result.message;
    this.requestUpdate();
  }
}

customElements.define('meshpad-join-code', JoinCodeForm);

declare global {
  interface HTMLElementTagNameMap {
    'meshpad-join-code': JoinCodeForm;
  }
}
