/** The viewer's stylesheet, injected once at start so the bundle is a single request. */
export const css = `
:root{--bg:#f4f6fa;--panel:#fff;--ink:#1c2333;--muted:#5b6478;--line:#dde2ec;--accent:#2f6fed;--accent-text:#1d4fc4;--accent-ink:#fff;--warn:#b54708;--warn-text:#b54708;--ok:#067647}
@media (prefers-color-scheme:dark){:root{--bg:#141822;--panel:#1e2330;--ink:#e6e9f2;--muted:#a3abbd;--line:#2e3546;--accent:#6d9bff;--accent-text:#9dbcff;--accent-ink:#0b1020;--warn-text:#fdb022;--ok:#47cd89}}
#boot{display:none}
button,input{font:inherit;color:inherit}
button{cursor:pointer;border:1px solid var(--line);background:var(--panel);border-radius:8px;padding:6px 12px}
a.button{display:inline-block;text-decoration:none;color:inherit;border:1px solid var(--line);background:var(--panel);border-radius:8px;padding:4px 12px}
button.primary,a.button.primary{background:var(--accent);color:var(--accent-ink);border-color:var(--accent)}
button:disabled{opacity:.5;cursor:default}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.landing{max-width:36rem;margin:10vh auto;padding:2rem;background:var(--panel);border-radius:14px;box-shadow:0 2px 16px #0002}
.landing h1{margin:0 0 .25rem;font-size:1.6rem}.landing p{color:var(--muted)}
.landing form,.member-sign-in form{display:grid;gap:.75rem;margin-top:1.25rem}
.landing label,.member-sign-in label{display:grid;gap:.25rem;font-weight:600}
.landing label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}
.landing input,.member-sign-in input{padding:8px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
.error{color:var(--warn-text)}
.brand{display:inline-flex;align-items:center;gap:6px;font-weight:700}.brand img{border-radius:4px;object-fit:contain}
.landing .aside{margin:1.25rem 0 0;font-size:.9rem}.landing a{color:var(--accent-text)}
.viewer{display:grid;grid-template-rows:auto 1fr auto auto auto;grid-template-columns:minmax(0,1fr);height:100vh;height:100dvh}
.bar button{padding:4px 9px;font-size:.9rem}
.bar{display:flex;gap:6px;align-items:center;padding:6px 8px;background:var(--panel);border-bottom:1px solid var(--line);flex-wrap:wrap}
.bar .address-form{flex:1 1 22rem;min-width:8rem;display:flex}
.bar .address{flex:1;min-width:0;padding:6px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
.bar .address[readonly]{color:var(--muted)}
.nav-buttons{display:flex;gap:2px;border:0;margin:0;padding:0;min-width:0}.tabs{display:flex;gap:2px;align-items:center;min-width:0;overflow-x:auto;border:0;margin:0;padding:0}.tab{display:flex;flex:none}.tab button:not(.close){max-width:11rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.tab button[aria-current=true]{background:var(--accent);color:var(--accent-ink)}.tab .close{padding:4px 6px}.nav-buttons button{padding:4px 9px;min-width:2.2rem}
.conn,.locked{font-size:.8rem;padding:2px 8px;border-radius:99px;background:var(--bg);border:1px solid var(--line)}.locked{color:var(--warn-text)}
.conn.live{color:var(--ok)}.conn.reconnecting,.conn.offline{color:var(--warn-text)}
.stage{position:relative;overflow:hidden;background:var(--bg)}
.stage iframe.live{width:100%;height:100%;border:0;background:#fff;display:block}.stage iframe.live.background{position:absolute;inset:0;visibility:hidden;pointer-events:none}
.stage .placeholder{position:absolute;inset:0;display:grid;place-items:center;text-align:center;color:var(--muted);padding:1rem}
.mirror,.mirror-page{position:absolute;inset:0;overflow:hidden}
.marks{position:absolute;inset:0;pointer-events:none;z-index:1}
.mark-box{position:absolute;outline:3px solid;border-radius:4px}
.mark-dot{position:absolute;width:14px;height:14px;margin:-7px 0 0 -7px;border-radius:50%;border:2px solid #fff;box-shadow:0 1px 4px #0006}
.mark-laser{position:absolute;width:12px;height:12px;margin:-6px 0 0 -6px;border-radius:50%;background:#ff1f1f;box-shadow:0 0 8px 4px #ff1f1f99}
.mark-ripple{position:absolute;width:34px;height:34px;margin:-17px 0 0 -17px;border-radius:50%;border:3px solid;animation:ripple .9s ease-out forwards}
@keyframes ripple{from{transform:scale(.3);opacity:.9}to{transform:scale(1.4);opacity:0}}
.mark-label{position:absolute;font-size:12px;color:#fff;padding:1px 6px;border-radius:8px;white-space:nowrap}
.mirror.picking .mirror-page{cursor:crosshair}
.tools,.panels{display:flex;gap:2px;border:0;margin:0;padding:0;min-width:0}.panels button[aria-expanded="true"]{background:var(--accent);color:var(--accent-ink)}
.draw-layer{position:absolute;inset:0;z-index:2;cursor:crosshair;touch-action:none}
.stage .placeholder.floating{background:var(--bg);z-index:2}.placeholder.floating div{display:grid;gap:.75rem;justify-items:center}.tools button[aria-pressed="true"]{background:var(--accent);color:var(--accent-ink)}
.mirror-page .replayer-wrapper{position:absolute;top:0;left:0;transform-origin:0 0}
.mirror-page .replayer-wrapper iframe{border:0;background:#fff;display:block}
.replayer-mouse{position:absolute;width:14px;height:14px;margin:-7px 0 0 -7px;border-radius:50%;background:#f04438aa;border:2px solid #fff;pointer-events:none;transition:left .05s linear,top .05s linear}
.replayer-mouse-tail{display:none}
.replayer-mouse:not([style*="left"]){display:none}
.banner{position:absolute;left:50%;top:8px;transform:translateX(-50%);background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:8px 12px;box-shadow:0 2px 12px #0003;display:flex;gap:8px;align-items:center;z-index:2;max-width:calc(100% - 16px)}
.banner.bottom{top:auto;bottom:8px;border-color:var(--warn-text)}
.people{display:flex;gap:6px;padding:6px 8px;border-top:1px solid var(--line);background:var(--panel);overflow-x:auto;list-style:none;margin:0}
.people li{display:flex;align-items:center;gap:6px;padding:2px 8px 2px 2px;border-radius:99px;background:var(--bg);white-space:nowrap}
.people li[data-connected="false"],.people li[data-idle="true"]{color:var(--muted)}.people li[data-connected="false"] .avatar{opacity:.5}
.people .avatar{width:24px;height:24px;border-radius:50%;display:grid;place-items:center;color:#fff;font-size:.75rem;font-weight:700}
.people li[data-leader="true"] .avatar{box-shadow:0 0 0 2px var(--accent)}
.people .leader{font-size:.75rem;color:var(--accent-text);font-weight:700}
.people button{padding:1px 8px;font-size:.8rem}.people button.danger{background:var(--warn);border-color:var(--warn);color:#fff}
.chat{max-height:28vh;min-height:4.5rem;overflow-y:auto;padding:6px 10px;background:var(--panel);border-top:1px solid var(--line);margin:0;list-style:none}
.chat li{padding:1px 0}.chat .who{font-weight:600;margin-right:.4em}.chat .pending{color:var(--muted);font-style:italic}
.chat .empty{color:var(--muted)}
.chat .translate{margin-left:.5em;padding:0 6px;font-size:.75rem}.chat .translation{display:block;color:var(--muted);font-style:italic}
.typing .draft{color:var(--ink);margin-right:.75em}.typing{margin:0;padding:0 10px;min-height:1.2em;font-size:.8rem;color:var(--muted);background:var(--panel)}
.say{display:flex;gap:6px;padding:6px 8px;background:var(--panel);border-top:1px solid var(--line)}
.say input{flex:1;min-width:0;padding:8px 10px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
.say{position:relative}.say .to{max-width:9rem;padding:6px;border:1px solid var(--line);border-radius:8px;background:var(--bg);color:inherit;font:inherit}
.chat .private{color:var(--accent-text);font-style:italic;margin-right:.3em}.chat .asked{color:var(--accent-text);margin-right:.3em}.chat .question{border-left:3px solid var(--accent);background:var(--bg);border-radius:0 6px 6px 0;padding:2px 6px;margin:2px 0}.chat .question-actions{display:inline-flex;gap:4px;flex-wrap:wrap}.chat li[data-private]{background:var(--bg);border-radius:6px;padding:1px 4px}.macros{display:flex}
.macros-panel{position:absolute;bottom:calc(100% + 4px);right:8px;width:24rem;max-width:calc(100vw - 16px);max-height:50vh;overflow-y:auto;background:var(--panel);border:1px solid var(--line);border-radius:10px;box-shadow:0 4px 16px #0003;padding:8px;z-index:4;display:grid;gap:6px}
.macros-panel ol{list-style:none;margin:0;padding:0;display:grid;gap:4px}.macros-panel li{display:flex;gap:4px}
.macros-panel .macro{flex:1;display:flex;gap:8px;align-items:baseline;text-align:left;min-width:0}.macros-panel .macro span{overflow:hidden;text-overflow:ellipsis}
.macros-panel .hint{margin:0;font-size:.8rem;color:var(--muted)}.macros-panel kbd{font-size:.75rem;padding:0 5px;border:1px solid var(--line);border-radius:4px;color:var(--muted)}
.macros-panel .remove{padding:2px 8px}.macro-add{display:flex;gap:4px}.macro-add input{flex:1;min-width:0;padding:6px 8px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
.share{font-size:.85rem;color:var(--muted);display:flex;gap:6px;align-items:center}
.share button{padding:3px 8px;font-size:.8rem}
.share input{width:11rem;padding:4px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);font-size:.8rem}
.panel{position:absolute;top:0;right:0;bottom:0;width:20rem;max-width:90%;background:var(--panel);border-left:1px solid var(--line);box-shadow:-2px 0 12px #0002;z-index:3;overflow-y:auto;padding:8px}
.panel header{display:flex;justify-content:space-between;align-items:center}.panel h2{font-size:1rem;margin:4px}
.panel ol{list-style:none;margin:0;padding:0}.panel li button{display:grid;width:100%;text-align:left;margin:4px 0;gap:2px}
.panel .url{font-size:.75rem;color:var(--muted);overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.panel .empty{color:var(--muted)}
.who ul{list-style:none;margin:0;padding:0}.who li{display:grid;grid-template-columns:auto 1fr;gap:4px 8px;align-items:center;padding:6px 4px;border-bottom:1px solid var(--line)}
.who .avatar{width:28px;height:28px;border-radius:50%;display:grid;place-items:center;color:#fff;font-weight:700}.who-name{display:grid}.who-name small{color:var(--muted)}
.who-actions{grid-column:1/-1;display:flex;flex-wrap:wrap;gap:4px}.panel .who-actions button{display:inline-block;width:auto;margin:0;padding:2px 8px;font-size:.8rem}.who-actions button.danger{background:var(--warn);border-color:var(--warn);color:#fff}
.help{max-width:min(34rem,calc(100vw - 1rem));max-height:calc(100dvh - 1rem);overflow-y:auto;box-sizing:border-box;border:1px solid var(--line);border-radius:12px;background:var(--panel);color:var(--ink);padding:1rem 1.25rem}
.help .check{display:flex;gap:8px;align-items:flex-start;margin:0 0 1rem}.help::backdrop{background:#0006}.help h2{margin-top:0;font-size:1.15rem}.help li{margin:.4rem 0}
.notice{position:absolute;bottom:8px;left:50%;transform:translateX(-50%);background:var(--ink);color:var(--bg);padding:6px 12px;border-radius:8px;z-index:3}
.rooms .hint{font-size:.85rem;color:var(--muted);margin:4px}.room-list{list-style:none;margin:0;padding:0}
.room-list button{display:grid;grid-template-columns:1fr auto;width:100%;text-align:left;margin:4px 0;gap:2px 8px}.room-list .url{grid-column:1}
.panels .badge{font-size:.75rem;font-weight:700}.room-list .unread{grid-column:2;grid-row:1/3;align-self:center;padding:0 6px;text-align:center;border-radius:99px;background:var(--accent);color:var(--accent-ink);font-size:.8rem;font-weight:700}
.room-new fieldset{border:1px solid var(--line);border-radius:8px;margin:8px 0;display:grid;gap:4px}.room-new legend{font-weight:600}.room-new .check{display:flex;gap:6px;align-items:center}
.room-log{list-style:none;margin:8px 0;padding:0;max-height:50vh;overflow-y:auto}.room-log li{padding:2px 0}.room-log .who{font-weight:600}.room-log .empty{color:var(--muted)}
.room-say{display:flex;gap:6px}.room-say input{flex:1;min-width:0;padding:6px 8px;border:1px solid var(--line);border-radius:8px;background:var(--bg)}
.controls{display:contents}
@media (max-width:600px){.share input{display:none}.bar .address-form{flex-basis:calc(100% - 8.5rem)}.bar{row-gap:4px}
.controls{display:flex;gap:6px;align-items:center;flex:1 1 10rem;min-width:0;overflow-x:auto;scrollbar-width:thin;padding-bottom:2px;mask-image:linear-gradient(to right,#000 85%,transparent)}.controls>*,.controls button{flex:none;white-space:nowrap}}
`;
