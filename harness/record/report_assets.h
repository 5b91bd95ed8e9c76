#pragma once

// The report's inline style and script (report_html.cc).

namespace chancho::report_assets {

inline constexpr const char* kStyle = R"css(
body{font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 24px;color:#1d232a;background:#fff}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px}
dl.head{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dl.head dt{color:#5b6670}dl.head dd{margin:0;font-family:ui-monospace,monospace}
.verdict{font-weight:600;padding:1px 8px;border-radius:3px}
.v-match{background:#d6f5dc;color:#125b23}.v-fail{background:#fbdada;color:#8a1111}
#timeline-wrap{overflow-x:auto;border:1px solid #d5dbe0;border-radius:4px}
svg text{font:11px ui-monospace,monospace;fill:#1d232a}
svg .group-label{font-weight:700;fill:#36414b}
svg .axis line{stroke:#e3e7ea}svg .axis text{fill:#5b6670}
svg .zero{stroke:#36414b;stroke-dasharray:4 3}
.lane-bg{fill:#f6f8f9}
.s-created{fill:#d5dbe0}.s-running{fill:#9fd9a9}.s-ready{fill:#3fa34d}
.s-paused{fill:#f2c14e}.s-exited{fill:#e07a7a}
.link{fill:#6c5ce7;fill-opacity:.35;stroke:#6c5ce7}
.progress{fill:none;stroke:#0b5cad;stroke-width:1.5}
.m-ready{fill:#125b23}.m-revival{fill:#0b5cad}.m-done{fill:#1d232a}.m-done.bad{fill:#c0392b}
.fault .mark{fill:#c0392b;stroke:#fff;stroke-width:1}
.fault.failed .mark{fill:#fff;stroke:#c0392b;stroke-width:1.5}
.fault .ghost{stroke:#c0392b;stroke-opacity:.35;stroke-dasharray:2 2}
.fault .ghost-dot{fill:#c0392b;fill-opacity:.25}
[data-detail]{cursor:pointer}.selected{outline:2px solid #0b5cad}
svg .selected .mark,svg rect.selected{stroke:#0b5cad;stroke-width:2}
#detail{position:sticky;top:0;background:#fffbe6;border:1px solid #e8d48a;padding:6px 10px;margin:8px 0;min-height:1.4em;font-family:ui-monospace,monospace;white-space:pre-wrap}
table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #d5dbe0;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f5}td.num{text-align:right;font-family:ui-monospace,monospace}
.st-match{color:#125b23}.st-mismatch,.st-missing,.st-known_good_missing{color:#8a1111;font-weight:600}
pre.hunk{margin:0;font-size:11px;max-height:240px;overflow:auto}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
#js-errors:empty{display:none}#js-errors{color:#8a1111}
)css";

// Installed first, so that an error anywhere in the page is counted.
inline constexpr const char* kErrorHook = R"js(
(function(){var n=0;function note(msg){n++;document.documentElement.dataset.jsErrors=n;
var l=document.getElementById('js-errors');if(l){var i=document.createElement('li');i.textContent=msg;l.appendChild(i);}}
window.addEventListener('error',function(e){note(String(e.message||e));});
window.addEventListener('unhandledrejection',function(e){note(String(e.reason));});})();
)js";

// Click on anything with data-detail shows it in #detail; Escape clears.
inline constexpr const char* kScript = R"js(
(function(){
var panel=document.getElementById('detail'),selected=null;
function pick(el){if(selected)selected.classList.remove('selected');selected=el;
 if(!el){panel.textContent='Click a mark or span for its details.';return;}
 el.classList.add('selected');panel.textContent=el.getAttribute('data-detail');}
document.addEventListener('click',function(e){var el=e.target.closest('[data-detail]');if(el)pick(el);});
document.addEventListener('keydown',function(e){if(e.key==='Escape')pick(null);});
pick(null);
var b=document.body;b.dataset.jsErrors=document.documentElement.dataset.jsErrors||'0';
b.dataset.loadMs=Math.round(performance.now());b.dataset.reportReady='yes';
})();
)js";

}  // namespace chancho::report_assets
