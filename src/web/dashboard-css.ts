// The dashboard's stylesheet, served at /-/dashboard.css: system fonts, a light theme, clear
// state colours, tables that turn into stacked cards at phone width (only a log scrolls sideways).

/** The CSS text. */
export const DASHBOARD_CSS = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--card:#fff;--link:#0969da;
--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--busy:#9a6700;--busy-bg:#fff8c5;--off:#57606a;--off-bg:#eaeef2;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:#24292f;color:#fff;padding:.6rem 1rem}
header.top nav{max-width:1100px;margin:0 auto;display:flex;flex-wrap:wrap;align-items:center;gap:.4rem;font-weight:600}
header.top a{color:#fff}header.top .brand{letter-spacing:.02em}header.top .sep{color:#8c959f}
main{max-width:1100px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.4rem 0 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem}
h2{font-size:1.05rem;margin:0 0 .6rem;display:flex;align-items:center;gap:.6rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin:0 0 1rem}
.mono,code,pre{font-family:var(--mono);font-size:.9em}
.muted,.age,.empty{color:var(--muted)}
.badge{font-size:.8rem;font-weight:500}
.pill{display:inline-block;min-width:4.6em;text-align:center;padding:.05rem .55rem;border-radius:999px;font-size:.78rem;font-weight:600;line-height:1.5;border:1px solid transparent}
.pill.ok{color:var(--ok);background:var(--ok-bg);border-color:#4ac26b66}
.pill.bad{color:var(--bad);background:var(--bad-bg);border-color:#ff818266}
.pill.busy{color:var(--busy);background:var(--busy-bg);border-color:#d4a72c66}
.pill.off{color:var(--off);background:var(--off-bg);border-color:#afb8c166}
table.rows{width:100%;border-collapse:collapse}
table.rows th{text-align:left;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;border-bottom:1px solid var(--line);padding:.4rem .5rem}
table.rows td{padding:.45rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:middle}
table.rows tr:last-child td{border-bottom:0}
table.rows td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.subject{color:var(--muted);font-family:system-ui,sans-serif}
.needs,.details{color:var(--muted);font-size:.88rem}
.headline{margin-bottom:1rem}
.facts{display:flex;flex-wrap:wrap;gap:.4rem 1.6rem;margin:0}
.facts div{display:flex;gap:.4rem}.facts dt{color:var(--muted)}.facts dd{margin:0}
.run-error{color:var(--bad)}
pre.problems{background:var(--bad-bg);padding:.6rem;border-radius:6px;white-space:pre-wrap}
.actions{margin:.2rem 0;color:var(--muted)}
.live{color:var(--busy);font-weight:600}.live.done{color:var(--muted)}
.log{background:#0d1117;color:#e6edf3;border-radius:8px;padding:.6rem 0;font:13px/1.45 var(--mono);overflow-x:auto;max-width:100%;overflow-wrap:normal}
.log .line{display:flex;white-space:pre;min-width:max-content}
.log .line:target{background:#2d333b}
.log .ln{flex:0 0 auto;width:4.2em;padding-right:1em;text-align:right;color:#6e7681;user-select:none}
.log .ln:hover{color:#c9d1d9;text-decoration:none}
.log .tx{padding-right:1rem}
.log .b{font-weight:700}
.fg30,.fg90{color:#8b949e}.fg31{color:#ff7b72}.fg32{color:#3fb950}.fg33{color:#d29922}.fg34{color:#58a6ff}.fg35{color:#bc8cff}.fg36{color:#39c5cf}.fg37{color:#c9d1d9}
.fg91{color:#ffa198}.fg92{color:#56d364}.fg93{color:#e3b341}.fg94{color:#79c0ff}.fg95{color:#d2a8ff}.fg96{color:#56d4dd}.fg97{color:#f0f6fc}
.more{margin:.8rem 0}
.error-page h1{color:var(--bad)}
.strip{list-style:none;display:flex;flex-wrap:wrap;gap:4px;margin:0 0 .5rem;padding:0}
.strip .sq{display:block;width:16px;height:16px;border-radius:3px;border:1px solid transparent}
.strip .sq:hover{outline:2px solid var(--fg);outline-offset:1px;text-decoration:none}
.sq.ok{background:#2da44e;border-color:var(--ok)}.sq.bad{background:#e5534b;border-color:var(--bad)}
.sq.busy{background:#d4a72c;border-color:var(--busy)}.sq.off{background:#afb8c1;border-color:var(--off)}
.strip-note{margin:0;font-size:.85rem}
.trend-chart{margin:0}
.trend-chart svg.plot{display:block;width:100%;height:260px;padding:12px 14px 30px 56px;overflow:visible;font:12px system-ui,sans-serif}
.trend-chart .tick{fill:var(--muted);stroke:none}
.trend-chart .tick.y{text-anchor:end}
.trend-chart .grid{stroke:#eaeef2;stroke-width:1}
.trend-chart .axis{stroke:var(--line);stroke-width:1}
.trend-chart .series line{stroke-width:2;stroke-linecap:round}
.trend-chart .series circle{stroke-width:2}
.trend-chart .series circle.hollow{fill:#fff}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;margin:.6rem 0 0;padding:0;font-size:.88rem}
.legend li{display:flex;align-items:center;gap:.35rem}
@media (max-width:700px){
  main{padding:.6rem}
  .card{padding:.6rem}
  table.rows thead{display:none}
  table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:100%}
  table.rows tr{padding:.5rem 0;border-bottom:1px solid var(--line)}
  table.rows tr:last-child{border-bottom:0}
  table.rows td{border:0;padding:.1rem 0;display:flex;gap:.6rem}
  table.rows td:empty{display:none}
  table.rows td[data-label]:not([data-label=""])::before{content:attr(data-label);flex:0 0 5.5rem;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;padding-top:.1rem}
  .log{font-size:12px}
  .log .ln{width:3.4em;padding-right:.6em}
}
`;
