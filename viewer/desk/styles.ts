/** The desk screens' own rules, on top of the viewer's stylesheet (colours, buttons, the landing card). */
export const css = `
:root{color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--ok:#47cd89;--warn:#fdb022}}
body{background:var(--bg);color:var(--ink)}
a{color:var(--accent-text)}
select,textarea{font:inherit;color:inherit}
select{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 6px}
.desk{max-width:72rem;margin:0 auto;padding:0 1rem 3rem}
.desk-head{display:flex;gap:.5rem 1rem;align-items:center;flex-wrap:wrap;padding:.75rem 0;border-bottom:1px solid var(--line);margin-bottom:1rem}
.desk-head h1{margin:0;font-size:1.3rem;flex:1 1 auto}
.desk-head nav{display:flex;gap:.75rem;flex-wrap:wrap}
.desk-head nav a[aria-current="page"]{font-weight:700;color:var(--ink);text-decoration:none}
.desk-head .who{color:var(--muted)}
.desk h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.card{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:1rem;margin:0 0 1rem}
.card h2{margin-top:0}
.field{display:grid;gap:.25rem;font-weight:600;margin:.5rem 0}
.field small{font-weight:400;color:var(--muted)}
.field input,.field select,.field textarea{padding:7px 9px;border:1px solid var(--line);border-radius:8px;background:var(--bg);min-width:0;font-weight:400}
.field input,.field select{height:2.5rem;box-sizing:border-box}
.check{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.4rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:0 1rem;align-items:start}
fieldset{border:1px solid var(--line);border-radius:10px;margin:.75rem 0;padding:.5rem .9rem;min-width:0}
legend{font-weight:700;padding:0 .3rem}
.states{display:flex;flex-wrap:wrap;gap:.5rem;border:0;padding:0;margin:0}
.states label{display:flex;align-items:center;gap:.4rem;border:1px solid var(--line);border-radius:99px;padding:6px 14px;background:var(--bg);cursor:pointer}
.states label:has(input:checked){background:var(--accent);color:var(--accent-ink);border-color:var(--accent)}
.states label:has(input:focus-visible){outline:2px solid var(--accent);outline-offset:2px}
.in-state{color:var(--muted);margin:.5rem 0 0}
.offer{border:2px solid var(--accent);box-shadow:0 2px 16px #0003}
.offer .question{font-size:1.1rem;margin:.25rem 0}
.offer .from{color:var(--muted);word-break:break-all}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
table.list{width:100%;border-collapse:collapse}
.list th,.list td{text-align:left;padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:top}
.list th{font-size:.85rem;color:var(--muted);font-weight:600}
.table-wrap{overflow-x:auto;margin-bottom:1rem}
.nowrap{white-space:nowrap}
.empty{color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.state-badge{display:inline-block;padding:1px 9px;border-radius:99px;font-size:.85rem;border:1px solid currentColor}
.state-ready{color:var(--ok)}.state-not-ready{color:var(--muted)}.state-away,.state-break{color:var(--warn)}
.stat{display:inline-grid;margin-right:2rem}.stat strong{font-size:1.5rem}
.tabs{display:flex;gap:.25rem;flex-wrap:wrap;border-bottom:1px solid var(--line);margin-bottom:1rem}
.tabs button{border:0;border-bottom:3px solid transparent;border-radius:0;background:none;padding:8px 12px}
.tabs button[aria-selected="true"]{border-bottom-color:var(--accent);font-weight:700}
code,pre{font-family:ui-monospace,monospace;font-size:.85rem;overflow-wrap:anywhere}
pre{white-space:pre-wrap;word-break:break-all;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:.6rem}
.wait{max-width:30rem;margin:6vh auto;padding:1.5rem;background:var(--panel);border-radius:14px;box-shadow:0 2px 16px #0002}
.wait h1{margin:0 0 .5rem;font-size:1.4rem}
.wait .status{font-size:1.1rem}
.wait .mode{color:var(--muted);font-size:.85rem}
.wait textarea{width:100%;box-sizing:border-box}
.wait form{margin-bottom:.75rem}
.wait a,.from{overflow-wrap:anywhere}
@media (max-width:600px){.desk{padding:0 .6rem 2rem}.wait{margin:0;border-radius:0;box-shadow:none}.stat{margin-right:1rem}}
`;
