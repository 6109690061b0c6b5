import { ApiError } from '../api-client';
import { h } from '../dom';
import { t } from '../i18n';

/** The sign-in form: the key is checked against GET /api/v1/me before it is kept. */
export function signInView(main: HTMLElement, signIn: (key: string) => Promise<void>): void {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'signin-intro' });
  const message = h('div', { id: 'signin-message', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit' }, t('signin.submit'));
  const form = h(
    'form',
    {
      class: 'signin',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        message.replaceChildren();
        button.disabled = true;
        try {
          await signIn(input.value.trim());
        } catch (error) {
          const text = error instanceof ApiError && error.status === 401 ? t('signin.invalid') : t('signin.failed', { message: (error as Error).message });
          message.replaceChildren(h('p', { class: 'error', role: 'alert' }, text));
          button.disabled = false;
          input.focus();
        }
      },
    },
    h('h1', {}, t('signin.heading')),
    h('p', { id: 'signin-intro' }, t('signin.intro')),
    h('label', { for: 'api-key' }, t('signin.key')),
    input,
    button,
    message,
  );
  main.append(form);
  input.focus();
}
