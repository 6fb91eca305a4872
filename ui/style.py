"""The web chat's stylesheet and the script that keeps the cited passage in view."""

CSS = """
.na-header h1 { margin: 0 0 2px 0; font-size: 1.6rem; }
.na-header p { margin: 0; color: var(--body-text-color-subdued); }
.na-status { font-size: 0.9em; color: var(--body-text-color-subdued); }
.na-cite { color: var(--color-accent); font-weight: 600; white-space: nowrap; }
.na-sources { display: block; font-size: 0.85em; color: var(--body-text-color-subdued); }
.na-sources code { font-size: 0.95em; }
.na-understood { display: block; font-size: 0.82em; font-style: italic; color: var(--body-text-color-subdued); }
.na-refused { color: #b45309; font-weight: 600; }
.na-notice { display: block; font-size: 0.85em; color: #b45309; }
.na-withdrawn { color: var(--body-text-color-subdued); text-decoration: line-through; }
.na-withdrawn-why { font-size: 0.8em; color: #b91c1c; }
.na-thinking { color: var(--body-text-color-subdued); font-style: italic; }
#na-chat .message:has(.na-refused) { background: #fff7ed !important; border-color: #fdba74 !important; }
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
.na-card mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.na-about { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 2px; }
.na-outlet { font-weight: 600; }
.na-support { color: #15803d; font-weight: 600; }
.na-contra { color: #b91c1c; font-weight: 600; }
.na-role { font-size: 0.75em; font-weight: 600; margin-left: 6px; padding: 0 6px; border-radius: 8px;
  border: 1px solid currentColor; }
.na-article summary { cursor: pointer; font-size: 0.85em; color: var(--color-accent); }
.na-article-text { position: relative; max-height: 320px; overflow-y: auto; white-space: pre-wrap;
  font-size: 0.85em; line-height: 1.45; margin-top: 6px; padding: 6px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 6px; }
"""

#: Opening a whole article scrolls its box to the marked passage.
HEAD = """
<script>
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open || !details.classList.contains("na-article")) return;
  const box = details.querySelector(".na-article-text");
  const mark = box && box.querySelector("mark");
  if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
}, true);
</script>
"""
