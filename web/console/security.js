// The signed-in user's account security (issue 15), for every role: two-step sign-in on (QR code,
// a code to confirm, recovery codes shown once), new recovery codes or off (each with a current
// code; admins cannot turn it off), and a new password. The QR code and the codes list are drawn
// by the sign-in's own helpers (console.js), passed in.
// Plain ES module, no build step; every value goes through textContent (el()).

/** #/security */
export async function showSecurity(ctx, notice = '') {
  const { app, api, el, S, fmtTime, enrolmentFigure, recoveryCodeList } = ctx;
  const status = await api('GET', '/me/security');
  const message = el('p', { role: 'status', id: 'security-notice', class: 'ok' }, notice);
  const fail = (e) => {
    message.className = 'error';
    message.textContent =
      e.code === 'totp_invalid'
        ? S.totpWrong
        : e.code === 'password_invalid'
          ? S.sec_passwordWrong
          : e.status === 429
            ? S.locked
            : e.message || S.error;
  };
  const reload = (text) => showSecurity(ctx, text);
  const codeInput = (id) =>
    el('input', {
      type: 'text',
      id,
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: '6',
      required: true,
    });
  /** The recovery codes, once, then back to the page. */
  const showCodes = (section, codes, text) => {
    const done = el('button', { type: 'button', id: 'recovery-done', onclick: () => reload(text) }, S.recoveryDone);
    section.replaceChildren(el('h2', {}, S.recoveryTitle), el('p', {}, S.recoveryHelp), recoveryCodeList(codes), done);
    done.focus();
  };

  const totp = el('section', { class: 'card', id: 'totp-section' }, el('h2', {}, S.sec_totp));
  if (!status.enabled) {
    const start = el('button', { type: 'button', id: 'totp-start' }, S.sec_turnOn);
    start.addEventListener('click', async () => {
      message.textContent = '';
      try {
        const step = await api('POST', '/me/totp');
        const code = codeInput('totp-code');
        const form = el(
          'form',
          { id: 'totp-enrol' },
          enrolmentFigure(step, S.sec_enrolHelp),
          el('label', { for: 'totp-code' }, S.totpCode),
          code,
          el('div', { class: 'actions' }, el('button', { type: 'submit' }, S.totpVerify)),
        );
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          message.textContent = '';
          try {
            const r = await api('POST', '/me/totp/confirm', { challenge: step.challenge, code: code.value.trim() });
            showCodes(totp, r.recoveryCodes, S.sec_turnedOn);
          } catch (e) {
            if (e.code === 'login_challenge_invalid') await reload(S.totpExpired);
            else fail(e);
          }
        });
        totp.replaceChildren(el('h2', {}, S.enrolTitle), form);
        code.focus();
      } catch (e) {
        fail(e);
      }
    });
    totp.append(el('p', { id: 'totp-state' }, S.sec_off), start);
  } else {
    const code = codeInput('totp-current');
    const form = el(
      'form',
      { id: 'totp-manage' },
      el('label', { for: 'totp-current' }, S.totpCode),
      code,
      el(
        'div',
        { class: 'actions' },
        el('button', { type: 'submit', value: 'codes' }, S.sec_newCodes),
        status.required ? '' : el('button', { type: 'submit', value: 'off', class: 'danger' }, S.sec_turnOff),
      ),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      message.textContent = '';
      const off = /** @type {HTMLButtonElement | null} */ (ev.submitter)?.value === 'off';
      try {
        if (off) {
          await api('POST', '/me/totp/off', { code: code.value.trim() });
          await reload(S.sec_turnedOff);
        } else {
          const r = await api('POST', '/me/totp/recovery-codes', { code: code.value.trim() });
          showCodes(totp, r.recoveryCodes, S.done);
        }
      } catch (e) {
        fail(e);
      }
    });
    totp.append(
      el(
        'p',
        { id: 'totp-state' },
        S.sec_on.replace('{date}', fmtTime(status.enrolledAt)).replace('{n}', String(status.recoveryCodesLeft)),
      ),
      status.required ? el('p', { class: 'muted' }, S.sec_required) : '',
      el('p', { class: 'muted' }, S.sec_codeHelp),
      form,
    );
  }

  const current = el('input', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true });
  const next = el('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', minlength: 10, required: true });
  const password = el(
    'form',
    { class: 'card', id: 'password-form' },
    el('h2', {}, S.sec_password),
    el('label', { for: 'current-password' }, S.sec_currentPassword),
    current,
    el('label', { for: 'new-password' }, S.sec_newPassword),
    next,
    el('div', { class: 'actions' }, el('button', { type: 'submit' }, S.sec_password)),
  );
  password.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    message.textContent = '';
    try {
      await api('POST', '/me/password', { currentPassword: current.value, newPassword: next.value });
      await reload(S.sec_passwordSaved);
    } catch (e) {
      fail(e);
    }
  });

  app.replaceChildren(el('h1', {}, S.sec_title), message, totp, password);
}
