"""The web chat's stylesheet and page script: citation previews, jumps to a card, copy, dark mode, phones.

Gradio's chatbot strips scripts and ``data-*`` attributes from messages, so the script listens on the
document: a click on ``a.na-cite`` (href ``#na-src-TURN-N``) scrolls the sources panel to card N of
that answer and highlights it (on a phone, where the panel is hidden, the card under the answer);
``button.na-copy`` copies the hidden ``.na-copy-text`` of its message. Colours are set for light and
dark (Gradio follows the system) so every text keeps WCAG AA contrast.
"""

CSS = """
.na-header h1 { margin: 0 0 2px 0; font-size: 1.6rem; }
.na-header p { margin: 0; color: var(--body-text-color-subdued); }
.na-status { font-size: 0.9em; color: var(--body-text-color-subdued); }
.na-sources { display: block; font-size: 0.85em; color: var(--body-text-color-subdued); }
.na-sources code { font-size: 0.95em; }
.na-understood { display: block; font-size: 0.82em; font-style: italic; color: var(--body-text-color-subdued); }
.na-refused { color: #b45309; font-weight: 600; }
.na-notice { display: block; font-size: 0.85em; color: #b45309; }
.na-withdrawn { color: var(--body-text-color-subdued); text-decoration: line-through; }
.na-withdrawn-why { font-size: 0.8em; color: #b91c1c; }
.na-thinking { color: var(--body-text-color-subdued); font-style: italic; }
.na-panel-empty { color: var(--body-text-color-subdued); padding: 8px 2px; }
.na-panel-q { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.na-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px;
  margin-bottom: 10px; background: var(--block-background-fill); }
.na-card-refused { border-color: #fdba74; background: #fff7ed; color: #7c2d12; }
.na-card-head { font-weight: 600; }
.na-file { font-family: var(--font-mono); font-size: 0.9em; }
.na-title { font-weight: 600; margin-top: 2px; }
.na-meta { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.na-warn { font-size: 0.85em; color: #b45309; margin-top: 4px; }
.na-passage { margin: 8px 0 6px 0; padding: 4px 10px; border-left: 3px solid var(--color-accent);
  font-size: 0.9em; line-height: 1.45; white-space: pre-wrap; color: var(--body-text-color); }
.na-gap { display: block; height: 0.5em; }
.na-card mark, .na-mcard mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.na-about { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.na-outlet { font-weight: 600; }
.na-support { color: #15803d; font-weight: 600; }
.na-contra { color: #b91c1c; font-weight: 600; }
.na-unclear { color: #6b7280; font-weight: 600; }
.na-role { font-size: 0.75em; font-weight: 600; margin-left: 6px; padding: 0 6px; border-radius: 8px;
  border: 1px solid currentColor; }
.na-article summary { cursor: pointer; font-size: 0.85em; color: var(--color-accent); }
.na-article-text { position: relative; max-height: 320px; overflow-y: auto; white-space: pre-wrap;
  font-size: 0.85em; line-height: 1.45; margin-top: 6px; padding: 6px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 6px; }
.na-cite { color: #1d4ed8; font-weight: 600; white-space: nowrap; }
a.na-cite { text-decoration: underline dotted; text-underline-offset: 2px; cursor: pointer; }
a.na-cite:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 1px; border-radius: 2px; }
.na-cref { position: relative; white-space: nowrap; }
.na-tip { display: none; position: fixed; left: 8px; top: 8px; z-index: 1000; width: min(340px, 72vw);
  white-space: normal; text-align: left; background: #ffffff; color: #111827; border: 1px solid #cbd5e1;
  border-radius: 8px; padding: 8px 10px; box-shadow: 0 6px 20px rgba(0,0,0,.18); font-size: 0.85rem;
  font-weight: 400; line-height: 1.35; }
.na-tip-title { display: block; font-weight: 700; white-space: normal; overflow: visible; }
.na-tip > span { max-width: none; overflow: visible; white-space: normal; }
.na-tip-about { display: block; color: #475569; font-size: 0.92em; }
.na-tip-quote { display: block; font-style: italic; margin-top: 4px; }
.na-direct { display: block; font-size: 1.3em; font-weight: 700; line-height: 1.3; margin-bottom: 2px; }
.na-evidence { display: block; }
.na-bottom { display: block; font-size: 1.12em; font-weight: 600; line-height: 1.35; margin-bottom: 4px; }
.na-bottom-label { color: #1d4ed8; font-weight: 700; margin-right: 4px; }
details.na-claim { border-left: 3px solid #cbd5e1; padding: 2px 0 2px 10px; margin: 6px 0; }
details.na-claim > summary { cursor: pointer; font-size: 0.92em; }
.na-actions { display: block; margin-top: 2px; }
.na-copy-text { display: none; }
button.na-copy { font-size: 0.8em; padding: 1px 10px; border: 1px solid #94a3b8; border-radius: 6px;
  background: transparent; color: inherit; cursor: pointer; }
button.na-copy:focus-visible { outline: 2px solid #1d4ed8; }
details.na-sources { margin-top: 4px; }
details.na-sources > summary { cursor: pointer; font-size: 0.85em; color: #334155; }
.na-src-name { font-weight: 600; }
.na-src-file { font-family: var(--font-mono); font-size: 0.78em; color: #475569; }
.na-mcards { margin-top: 6px; }
.na-mcard { border-left: 3px solid #1d4ed8; padding: 4px 8px; margin: 6px 0; font-size: 0.86em; }
.na-mcard-title { font-weight: 700; }
.na-mcard-about { color: #475569; }
.na-mcard-quote { font-style: italic; margin: 2px 0; }
.na-card-focus { outline: 3px solid #f59e0b; outline-offset: 1px; box-shadow: 0 0 0 6px rgba(245,158,11,.25); }
.na-stopped { color: #475569; font-style: italic; }
#na-chat .message:has(.na-refused) { background: #fff7ed !important; border-color: #fdba74 !important; }
#na-chat .message:has(.na-refused) .na-refused { color: #9a3412; }
#na-upload [data-testid="upload-icon"] { display: none; }
#na-upload [data-testid="upload-text"] { padding-top: 18px; }
.na-upload-results { list-style: none; padding-left: 0; }
.na-upload-results li { margin: 2px 0; }
.na-up-problem { color: #9a3412; }
#na-confirm { padding: 6px; border: 1px solid #fca5a5; }

/* dark mode (Gradio follows the system): light text on dark fills, warm colours lightened;
   one selector a rule (Gradio scopes only the first of a list that starts with .dark) */
.dark .na-cite { color: #93c5fd; }
.dark a.na-cite { color: #93c5fd; }
.dark a.na-cite:focus-visible { outline-color: #93c5fd; }
.dark button.na-copy:focus-visible { outline-color: #93c5fd; }
.dark .na-tip { background: #1e293b; color: #f1f5f9; border-color: #475569; }
.dark .na-tip-about { color: #cbd5e1; }
.dark .na-src-file { color: #cbd5e1; }
.dark .na-mcard-about { color: #cbd5e1; }
.dark .na-stopped { color: #cbd5e1; }
.dark details.na-sources > summary { color: #e2e8f0; }
.dark .na-mcard { border-left-color: #93c5fd; }
.dark .na-refused { color: #fdba74; }
.dark .na-notice { color: #fdba74; }
.dark .na-warn { color: #fdba74; }
.dark .na-up-problem { color: #fdba74; }
.dark #na-chat .message:has(.na-refused) { background: #431407 !important; border-color: #9a3412 !important;
  color: #ffedd5 !important; }
.dark #na-chat .message:has(.na-refused) .na-refused { color: #fed7aa; }
.dark .na-card-refused { background: #431407; border-color: #9a3412; color: #ffedd5; }
.dark .na-withdrawn-why { color: #fca5a5; }
.dark .na-support { color: #86efac; }
.dark .na-contra { color: #fca5a5; }
.dark .na-bottom-label { color: #93c5fd; }
.dark details.na-claim { border-left-color: #475569; }

/* phones: the sources under each answer take the panel's place; controls fit the width */
@media (max-width: 720px) {
  #na-sources-col { display: none !important; }
  .na-header h1 { font-size: 1.3rem; }
  #na-ask-row { flex-wrap: nowrap !important; gap: 6px; }
  #na-ask-row button { min-width: 56px !important; padding-left: 6px; padding-right: 6px; }
  #na-options { flex-wrap: wrap !important; }
  #na-options > * { min-width: 100% !important; }
  .na-tip { width: min(300px, 80vw); }
}
"""

#: The page script: whole articles open at their passage, citation links, copy buttons.
HEAD = r"""
<script>
(() => {
  // Opening a whole article scrolls its box to the marked passage.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open || !details.classList.contains("na-article")) return;
    const box = details.querySelector(".na-article-text");
    const mark = box && box.querySelector("mark");
    if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  }, true);

  const shown = (el) => !!el && el.getClientRects().length > 0;
  // Bring card n of an answer into view and highlight it: in the sources panel, or under the answer on a phone.
  function focusCard(turn, n, tries) {
    let card = document.getElementById(`na-src-${turn}-${n}`);
    if (!shown(card)) {
      const panel = document.getElementById("na-sources");
      if (shown(panel) && tries < 80) { setTimeout(() => focusCard(turn, n, tries + 1), 100); return; }
      card = document.getElementById(`na-msrc-${turn}-${n}`);
      const details = card && card.closest("details");
      if (details) details.open = true;
    }
    if (!card) { if (tries < 80) setTimeout(() => focusCard(turn, n, tries + 1), 100); return; }
    document.querySelectorAll(".na-card-focus").forEach((c) => c.classList.remove("na-card-focus"));
    card.classList.add("na-card-focus");
    card.scrollIntoView({ block: "nearest", inline: "nearest" });
    if (tries >= 0) [300, 900].forEach((ms) => setTimeout(() => {
      const again = document.getElementById(card.id);
      if (again && !again.classList.contains("na-card-focus")) focusCard(turn, n, -1);
    }, ms));
  }
  window.naFocusCard = focusCard;

  // The preview of a citation is shown in one box owned by the page (#na-tip-float, inside the Gradio
  // container so the stylesheet reaches it): no chat bubble's edge and no later column paints over it.
  function floatTip() {
    let box = document.getElementById("na-tip-float");
    if (!box) {
      box = document.createElement("div");
      box.id = "na-tip-float";
      box.className = "na-tip na-tip-float";
      box.setAttribute("role", "tooltip");
      (document.querySelector(".gradio-container") || document.body).appendChild(box);
    }
    return box;
  }
  function showTip(event) {
    const cref = event.target instanceof Element ? event.target.closest(".na-cref") : null;
    const tip = cref && cref.querySelector(".na-tip");
    const link = cref && cref.querySelector("a.na-cite");
    if (!tip || !link) return;
    const box = floatTip();
    box.innerHTML = tip.innerHTML;
    box.dataset.href = link.getAttribute("href") || "";
    const r = link.getBoundingClientRect();
    const width = Math.min(340, window.innerWidth - 16);
    box.style.width = `${width}px`;
    box.style.left = `${Math.max(8, Math.min(r.left, window.innerWidth - width - 8))}px`;
    box.style.top = `${r.bottom + 4}px`;
    box.style.display = "block";
    const h = box.getBoundingClientRect().height;
    if (r.bottom + 4 + h > window.innerHeight && r.top - h - 4 > 0) box.style.top = `${r.top - h - 4}px`;
  }
  function hideTip(event) {
    const cref = event.target instanceof Element ? event.target.closest(".na-cref") : null;
    if (!cref || (event.relatedTarget instanceof Node && cref.contains(event.relatedTarget))) return;
    const box = document.getElementById("na-tip-float");
    if (box) box.style.display = "none";
  }
  document.addEventListener("mouseover", showTip, true);
  document.addEventListener("focusin", showTip, true);
  document.addEventListener("mouseout", hideTip, true);
  document.addEventListener("focusout", hideTip, true);

  // On a phone the conversation list starts closed (its toggle opens it), so the chat is the first screen.
  if (window.matchMedia("(max-width: 720px)").matches) {
    let tries = 0;
    const close = () => {
      const bar = document.querySelector("#na-sidebar.open .toggle-button");
      if (bar) bar.click(); else if (tries++ < 100) setTimeout(close, 100);
    };
    close();
  }

  async function copy(button) {
    const source = button.closest(".na-actions")?.querySelector(".na-copy-text");
    const text = source ? source.textContent : "";
    let ok = false;
    try { await navigator.clipboard.writeText(text); ok = true; } catch (e) {
      const area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { ok = document.execCommand("copy"); } catch (e2) { ok = false; }
      area.remove();
    }
    button.textContent = ok ? "Copied" : "Copy failed";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  }

  // Input never lost: a question leaves the box the instant it is sent (Enter or Ask) into naOutbox,
  // which the send event empties (SEND_JS); keys pressed after the send go into an empty box that no
  // reply of the server ever writes.
  const outbox = (window.naOutbox = window.naOutbox || []);
  function takeQuestion() {
    const box = document.querySelector("#na-input textarea");
    if (!box || !box.value.trim()) return;
    outbox.push(box.value);
    box.value = "";
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  // the key press Gradio's box sends on (keypress, Enter without Shift), before the box sees it
  document.addEventListener("keypress", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (event.key !== "Enter" || event.shiftKey || !target?.matches("#na-input textarea")) return;
    takeQuestion();
  }, true);

  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target && target.closest("#na-ask")) { takeQuestion(); return; }
    const link = target && target.closest("a.na-cite");
    if (link) {
      const m = /#na-src-(\d+)-(\d+)$/.exec(link.getAttribute("href") || "");
      if (m) { event.preventDefault(); focusCard(m[1], m[2], 0); }
      return;
    }
    const button = target && target.closest("button.na-copy");
    if (button) { event.preventDefault(); copy(button); }
  }, true);
})();
</script>
"""

#: Runs in the page when a question is sent (Enter, Ask): hands the server every question taken from the
#: box since the last send (``naOutbox``, filled by the page script at the key press or click itself).
#: Gradio reads the box a moment after the key press, when a question typed fast after it may already be
#: there (or the emptied box): the first question was then never sent, or sent twice. Taken at the key
#: press, each question leaves the box exactly once and reaches the server exactly once.
SEND_JS = """
(outbox, who, perspectives, sources) => {
  const queued = window.naOutbox || [];
  return [queued.splice(0, queued.length), who, perspectives, sources];
}
"""
