import type { TraceView } from "../view.js";

/** JSON that is safe inside a <script> element: no "</script>", no HTML comment openers. */
function embed(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:13px/1.4 system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d2733;background:#f6f8fb}
header{padding:10px 16px;background:#1d2733;color:#fff}header h1{font-size:16px;margin:0 0 4px}header .sub{opacity:.8}
main{display:flex;height:calc(100vh - 64px)}#graph{flex:1;overflow:auto;background:#fff;border-right:1px solid #d5dce5}
aside{width:420px;overflow:auto;padding:12px 14px}aside h2{font-size:14px;margin:14px 0 6px}
.summary{background:#fff;border:1px solid #d5dce5;border-radius:6px;padding:8px 10px;margin-bottom:8px}
.root{border-left:4px solid #c0392b}.cand{cursor:pointer;padding:3px 4px;border-radius:4px}.cand:hover{background:#eef2f7}
pre{white-space:pre-wrap;word-break:break-word;background:#f1f4f8;border-radius:4px;padding:8px;max-height:45vh;overflow:auto;font-size:12px}
.node rect{fill:#fff;stroke:#8a99ab;stroke-width:1;rx:6}.node{cursor:pointer}.node text{font-size:11px;pointer-events:none}
.node.candidate rect{fill:#eef2f7}.node.chain rect{fill:#fde3a7;stroke:#e67e22;stroke-width:2}
.node.symptom rect{fill:#d8c8f0;stroke:#6c3483;stroke-width:2}.node.root rect{fill:#f8b4b4;stroke:#c0392b;stroke-width:3}
.node.selected rect{stroke:#0b63c5;stroke-width:3}.node.tool rect{stroke-dasharray:4 2}
.edge{fill:none;stroke:#b5c0cc;stroke-width:1}.edge.inferred{stroke-dasharray:4 3}.edge.chain{stroke:#e67e22;stroke-width:3;stroke-dasharray:none}
.lane{font-size:11px;fill:#5b6b7d;font-weight:600}.muted{color:#5b6b7d}.tag{display:inline-block;border-radius:3px;padding:0 5px;background:#eef2f7;margin-right:4px}
label.toggle{margin-left:12px;font-size:12px}
`;

const SCRIPT = `
(function(){
var data=JSON.parse(document.getElementById('trace-data').textContent);
var svgNS='http://www.w3.org/2000/svg';
var nodes=data.nodes, edges=data.edges, report=data.report;
var byId={}; nodes.forEach(function(n){byId[n.id]=n;});
var lanes=[]; nodes.forEach(function(n){ if(lanes.indexOf(n.agent)<0) lanes.push(n.agent); });
var W=170,H=38,GX=40,GY=18,TOP=30,LEFT=20;
var pos={}; nodes.forEach(function(n,i){ pos[n.id]={x:LEFT+lanes.indexOf(n.agent)*(W+GX), y:TOP+i*(H+GY)}; });
var svg=document.createElementNS(svgNS,'svg');
svg.setAttribute('width', LEFT*2+lanes.length*(W+GX)); svg.setAttribute('height', TOP+nodes.length*(H+GY)+20);
lanes.forEach(function(a,i){ var t=document.createElementNS(svgNS,'text'); t.setAttribute('class','lane'); t.setAttribute('x',LEFT+i*(W+GX)+4); t.setAttribute('y',18); t.textContent=a; svg.appendChild(t); });
var edgeLayer=document.createElementNS(svgNS,'g'); svg.appendChild(edgeLayer);
var edgeEls=[];
edges.forEach(function(e){
  var a=pos[e.from], b=pos[e.to]; if(!a||!b) return;
  var p=document.createElementNS(svgNS,'path');
  var x1=a.x+W/2, y1=a.y+H, x2=b.x+W/2, y2=b.y, dy=Math.max(20,(y2-y1)/2);
  p.setAttribute('d','M'+x1+','+y1+' C'+x1+','+(y1+dy)+' '+x2+','+(y2-dy)+' '+x2+','+y2);
  p.setAttribute('class','edge'+(e.kind!=='derived'?' inferred':'')+(e.onChain?' chain':''));
  var t=document.createElementNS(svgNS,'title'); t.textContent=e.kind+' '+e.confidence+(e.evidence.length?': '+e.evidence.join(', '):''); p.appendChild(t);
  p.dataset.weak = (!e.onChain && e.confidence<0.3) ? '1':'0';
  edgeLayer.appendChild(p); edgeEls.push(p);
});
var nodeEls={};
nodes.forEach(function(n){
  var g=document.createElementNS(svgNS,'g'); var p=pos[n.id];
  g.setAttribute('class','node '+(n.mark||'')+' '+n.role); g.setAttribute('transform','translate('+p.x+','+p.y+')');
  g.setAttribute('data-id',n.id); g.setAttribute('tabindex','0'); g.setAttribute('role','button');
  var r=document.createElementNS(svgNS,'rect'); r.setAttribute('width',W); r.setAttribute('height',H); g.appendChild(r);
  var t1=document.createElementNS(svgNS,'text'); t1.setAttribute('x',6); t1.setAttribute('y',15); t1.textContent='#'+n.step+' '+n.agent.slice(0,20); g.appendChild(t1);
  var t2=document.createElementNS(svgNS,'text'); t2.setAttribute('x',6); t2.setAttribute('y',30); t2.textContent=n.kind+(n.mark==='root'?' · ROOT CAUSE':n.mark==='symptom'?' · symptom':''); g.appendChild(t2);
  g.addEventListener('click',function(){ show(n.id); });
  g.addEventListener('keydown',function(ev){ if(ev.key==='Enter'||ev.key===' ') show(n.id); });
  svg.appendChild(g); nodeEls[n.id]=g;
});
document.getElementById('graph').appendChild(svg);
var weak=document.getElementById('weak');
function applyWeak(){ edgeEls.forEach(function(p){ p.style.display=(p.dataset.weak==='1'&&!weak.checked)?'none':''; }); }
weak.addEventListener('change',applyWeak); applyWeak();
var candById={}; report.candidates.forEach(function(c){candById[c.itemId]=c;});
function el(tag,text,cls){ var e=document.createElement(tag); if(text!=null) e.textContent=text; if(cls) e.className=cls; return e; }
function show(id){
  var n=byId[id]; if(!n) return;
  Object.keys(nodeEls).forEach(function(k){ nodeEls[k].classList.toggle('selected',k===id); });
  var d=document.getElementById('details'); d.textContent='';
  d.appendChild(el('h2','Item '+n.id));
  var meta=el('div',null,'muted'); meta.textContent='step '+n.step+' · agent '+n.agent+' · '+n.kind+' · '+n.sensitivity+(n.redacted?' · content redacted':''); d.appendChild(meta);
  var pre=el('pre',n.content); pre.id='node-content'; d.appendChild(pre);
  d.appendChild(el('h2','Verdicts'));
  if(n.verdicts.length===0) d.appendChild(el('div','none recorded','muted'));
  n.verdicts.forEach(function(v){ d.appendChild(el('div',v.by+': '+v.decision+' — '+v.rationale)); });
  var c=candById[id];
  if(c){ d.appendChild(el('h2','Why it is a candidate (score '+c.score+', '+c.status+')'));
    c.reasons.forEach(function(r){ d.appendChild(el('div','• '+r.signal.replace(/_/g,' ')+': '+r.detail)); }); }
  var ins=edges.filter(function(e){return e.to===id;}).length, outs=edges.filter(function(e){return e.from===id;}).length;
  d.appendChild(el('div',ins+' incoming, '+outs+' outgoing edges','muted'));
}
var list=document.getElementById('candidates');
report.candidates.slice(0,8).forEach(function(c,i){
  var row=el('div',(i+1)+'. '+c.itemId+' · step '+c.step+' · '+c.agent+' · score '+c.score+' ['+c.status+']','cand');
  row.addEventListener('click',function(){ show(c.itemId); nodeEls[c.itemId].scrollIntoView({block:'center'}); });
  list.appendChild(row);
});
if(report.rootCause) show(report.rootCause.itemId);
})();
`;

/** One self-contained page (inline CSS and JS, no network): graph, root cause, chain, details on click. */
export function toHtml(view: TraceView): string {
  const r = view.report;
  const root = r.rootCause;
  const title = `Trace: ${view.origin || "run"}`;
  const rootLine = root
    ? `Root cause: step ${root.step} by ${root.agent} (${root.itemId}) [${root.status}] — ${root.reasons[0]?.detail ?? ""}`
    : "No root cause found";
  const topAgent = r.agents[0];
  const agentLine = topAgent
    ? `Most responsible agent: ${topAgent.agent}${root && root.agent !== topAgent.agent ? ` (the decisive item is by ${root.agent})` : ""}`
    : "";
  const symptomLine = r.symptom
    ? `Symptom: ${r.symptom.kind.replace(/_/g, " ")} at ${r.symptom.itemId}: ${r.symptom.detail}`
    : "No symptom found";
  const judged = r.judgedBy
    ? ` · judged by model ${r.judgedBy.model}: ${r.judgedBy.modelCalls} call(s), ${r.judgedBy.inputTokens} input + ${r.judgedBy.outputTokens} output tokens`
    : "";
  const chainLine = root
    ? `${root.claim ? `Claim or instruction: ${JSON.stringify(root.claim)} · ` : ""}Evidence chain: ${root.chain.join(" → ")}${judged}`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${escapeHtml(title)}</h1><div class="sub">${escapeHtml(`${view.nodes.length} items · ${view.edges.length} edges · ${view.edgesInferred ? "edges inferred from reused values" : "exact provenance"}${view.includesPrivate ? " · includes private content" : " · private content redacted"}`)}
<label class="toggle"><input type="checkbox" id="weak"> show weak edges</label></div></header>
<main><div id="graph"></div>
<aside>
<div class="summary root" id="root-summary">${escapeHtml(rootLine)}</div>
<div class="summary" id="symptom-summary">${escapeHtml(symptomLine)}</div>
${agentLine ? `<div class="summary" id="agent-summary">${escapeHtml(agentLine)}</div>` : ""}
${chainLine ? `<div class="summary" id="chain-summary">${escapeHtml(chainLine)}</div>` : ""}
<h2>Candidates</h2><div id="candidates"></div>
<div id="details"><div class="muted">Click a node to see its content and verdicts.</div></div>
</aside></main>
<script type="application/json" id="trace-data">${embed(view)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
