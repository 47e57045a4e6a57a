/** The archive and replay screens' own rules, on top of the viewer's stylesheet (colours, buttons). */
export const css = `
a{color:var(--accent-text)}
.landing .error{color:var(--warn)}
.status-line{color:var(--muted);min-height:1.4em}
.empty{color:var(--muted)}
.archive{max-width:76rem;margin:0 auto;padding:1rem 1.25rem 3rem}
.archive-head{display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
.archive-head h1{margin:0;font-size:1.4rem;flex:1}
.archive-head .who{color:var(--muted)}
.archive h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
.search{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem;padding:1rem;background:var(--panel);border:1px solid var(--line);border-radius:12px;margin-top:1rem}
.search label,.import label{display:grid;gap:.25rem;font-weight:600;font-size:.9rem}
.search input,.import input{min-width:0;width:100%;box-sizing:border-box;height:2.3rem;padding:4px 8px;border:1px solid var(--line);border-radius:8px;background:var(--bg);font-weight:400}
.search-actions{display:flex;gap:.5rem;align-items:end}
table.sessions{width:100%;border-collapse:collapse;background:var(--panel);border:1px solid var(--line);border-radius:12px}
.sessions th,.sessions td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.sessions th{font-size:.85rem;color:var(--muted);font-weight:600}
.sessions tbody tr:hover{background:var(--bg)}
.sessions td.url{word-break:break-all;color:var(--muted);font-size:.9rem}
.sessions .role,.sessions .open{color:var(--muted);font-size:.85rem}
.import{margin-top:2rem;padding:0 1rem 1rem;background:var(--panel);border:1px solid var(--line);border-radius:12px}
.import h2{margin-top:1rem}
.import form{display:flex;gap:.75rem;align-items:end;flex-wrap:wrap}
.replay{display:grid;grid-template-rows:auto minmax(0,1fr) auto;height:100vh;height:100dvh}
.replay-head{display:flex;gap:.75rem;align-items:center;padding:6px 10px;background:var(--panel);border-bottom:1px solid var(--line);min-width:0}
.replay-head h1{font-size:1.05rem;margin:0;white-space:nowrap}
.replay-head .meta{color:var(--muted);font-size:.9rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;min-width:0}
.replay-head .spacer{flex:1}
.verify{font-size:.85rem;padding:3px 10px;border-radius:99px;border:1px solid var(--line);white-space:nowrap}
.verify.intact{color:var(--ok);border-color:currentColor}
.verify.broken{color:#fff;background:#b42318;border-color:#b42318;white-space:normal}
.replay-body{display:grid;grid-template-columns:minmax(0,1fr) 22rem;min-height:0}
.replay-stage{display:flex;flex-direction:column;overflow:hidden;background:var(--bg)}
.replay-stage .tabs{margin:0;padding:6px 8px 0}
.replay-view{position:relative;flex:1;min-height:0}
.replay-pages{position:absolute;inset:0}
.replay-page{position:absolute;inset:8px;overflow:hidden}
.replay-page .replayer-wrapper{position:absolute;top:0;left:0;transform-origin:0 0}
.replay-page .replayer-wrapper iframe{border:0;background:#fff;display:block;box-shadow:0 1px 10px #0003}
.replay-stage .placeholder{position:absolute;inset:0;display:grid;place-items:center;text-align:center;color:var(--muted);padding:1rem}
.replay-stage .placeholder.covering{background:var(--bg);z-index:2}
.replay-side{display:grid;grid-template-rows:minmax(0,1.3fr) minmax(0,1fr) minmax(0,.7fr);min-height:0;border-left:1px solid var(--line);background:var(--panel)}
.side-section{display:flex;flex-direction:column;min-height:0;border-bottom:1px solid var(--line)}
.side-section h2{font-size:.8rem;margin:0;padding:8px 10px 4px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.side-section ol,.side-section ul{list-style:none;margin:0;padding:0 6px 6px;overflow-y:auto;min-height:0;flex:1}
.side-section .empty{padding:2px 6px;margin:0}
.side-section time{color:var(--muted);font-size:.8rem;font-variant-numeric:tabular-nums}
.events li button{display:grid;grid-template-columns:auto 1fr;gap:0 .5rem;width:100%;text-align:left;border:0;border-left:3px solid transparent;border-radius:4px;padding:3px 6px;background:none;font-size:.9rem}
.events li button:hover{background:var(--bg)}
.events li[aria-current="true"] button{background:var(--bg);border-left-color:var(--accent)}
.events .kind{font-size:.75rem;font-weight:700;align-self:center}
.events .what{grid-column:1/-1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.events .kind-location .kind{color:#1d4fc4}.events .kind-chat .kind{color:#067647}.events .kind-baton .kind{color:#93370d}
.events .kind-control .kind{color:#a11043}.events .kind-highlight .kind{color:#6b2787}.events .kind-joined .kind,.events .kind-left .kind{color:var(--muted)}
@media (prefers-color-scheme:dark){.verify.intact,.attendance .here{color:#47cd89}.events .kind-location .kind{color:#9dbcff}.events .kind-chat .kind{color:#6ce9a6}.events .kind-baton .kind{color:#fdb022}.events .kind-control .kind{color:#faa7e0}.events .kind-highlight .kind{color:#d6bbfb}}
.chat-pane li{padding:2px 4px;font-size:.9rem}.chat-pane .who{font-weight:600}
.attendance li{display:flex;flex-wrap:wrap;gap:0 .4rem;padding:3px 4px;font-size:.9rem}
.attendance .who{font-weight:600}
.attendance .here{color:var(--ok);font-size:.8rem;font-weight:600}
.attendance .spans{flex-basis:100%;color:var(--muted);font-size:.8rem;font-variant-numeric:tabular-nums}
.attendance li[data-present="false"] .who{color:var(--muted)}
.controls{margin:0;border:0;border-top:1px solid var(--line);min-width:0;display:flex;gap:12px;align-items:center;padding:8px 12px;background:var(--panel);flex-wrap:wrap}
.controls .play{min-width:5.5rem}
.clock{display:grid;line-height:1.2;font-variant-numeric:tabular-nums;min-width:7.5rem}
.clock .elapsed{font-size:.8rem;color:var(--muted)}
.timeline{position:relative;flex:1 1 20rem;min-width:12rem;height:38px}
.timeline .ticks{position:absolute;left:8px;right:8px;top:0;height:12px}
.tick{position:absolute;top:0;width:5px;height:12px;margin-left:-2px;padding:0;border:0;border-radius:2px;background:var(--muted);cursor:pointer}
.tick.kind-location{background:#2f6fed}.tick.kind-chat{background:#12b76a}.tick.kind-baton{background:#f79009}.tick.kind-control{background:#dd2590}.tick.kind-highlight{background:#9e77ed}.tick.kind-tab{background:#0e9384}
.timeline .track{position:absolute;left:8px;right:8px;top:23px;height:4px}
.timeline .loaded{height:100%;border-radius:2px;background:var(--line)}
.timeline input[type=range]{position:absolute;left:0;right:0;bottom:0;width:100%;margin:0;height:24px;background:transparent;accent-color:var(--accent)}
.controls label{display:flex;gap:.4rem;align-items:center;font-size:.9rem}
.controls select{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:3px 4px}
@media (max-width:800px){.replay{height:auto;min-height:100vh}.replay-body{grid-template-columns:1fr}.replay-stage{height:60vh}.replay-side{border-left:0;grid-template-rows:auto}.side-section ol,.side-section ul{max-height:14rem}}
.chat-pane .private{color:var(--accent-text,#1d4fc4)}
`;
