// The landing page's live table (served as /assets/landing-live.js): the latest value of each
// public Datastream (first 50), then every new Observation as it is committed, over Server-Sent
// Events (/api/live). EventSource reconnects by itself and resumes with Last-Event-ID.
const LIMIT = 50;
const status = document.getElementById('live-status');
const table = document.getElementById('live');
const body = table.tBodies[0];
/** Datastream id → its row's cells and the time of the value shown. */
const rows = new Map();
const fmtTime = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'medium' });
const fmtNum = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 3 });

/** The instant an Observation is about: the end of an interval, else the instant. */
const instantOf = (phenomenonTime) => Date.parse(String(phenomenonTime).split('/').pop());

function say(text, state) {
  status.textContent = text;
  status.dataset.state = state;
}

function show(dsId, o, fresh) {
  const r = rows.get(dsId);
  const t = instantOf(o.phenomenonTime);
  if (!r || !(t >= r.t)) return;
  r.t = t;
  r.value.textContent = typeof o.result === 'number' ? `${fmtNum.format(o.result)} ${r.unit}`.trim() : typeof o.result === 'string' ? o.result : JSON.stringify(o.result);
  r.time.textContent = fmtTime.format(new Date(t));
  if (!fresh) return;
  r.tr.classList.remove('fresh');
  void r.tr.offsetWidth; // restart the highlight
  r.tr.classList.add('fresh');
}

function addRow(ds) {
  const tr = body.insertRow();
  tr.dataset.datastream = ds['@iot.id'];
  const name = tr.insertCell();
  const link = document.createElement('a');
  link.href = `/v1.1/Datastreams(${ds['@iot.id']})/Observations?$orderby=phenomenonTime%20desc&$top=20`;
  link.textContent = ds.name;
  name.append(link);
  const value = tr.insertCell();
  value.className = 'num';
  const time = tr.insertCell();
  value.textContent = time.textContent = '—';
  rows.set(ds['@iot.id'], { tr, value, time, t: -Infinity, unit: ds.unitOfMeasurement?.symbol ?? '' });
  const last = ds.Observations?.[0];
  if (last) show(ds['@iot.id'], last, false);
}

/** The public Datastreams (first LIMIT), each with its latest Observation. */
async function latest() {
  const q = `/v1.1/Datastreams?$top=${LIMIT}&$orderby=id&$select=id,name,unitOfMeasurement&$expand=Observations($orderby=phenomenonTime%20desc;$top=1;$select=result,phenomenonTime)`;
  const res = await fetch(q, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return (await res.json()).value;
}

async function start() {
  const list = await latest();
  if (list.length === 0) return say('Chưa có chuỗi số liệu công khai nào.', 'empty');
  for (const ds of list) addRow(ds);
  table.hidden = false;
  const es = new EventSource(`/api/live?datastreams=${list.map((d) => d['@iot.id']).join(',')}`);
  es.addEventListener('observation', (e) => {
    const o = JSON.parse(e.data);
    show(o.Datastream['@iot.id'], o, true);
  });
  let opened = false;
  es.onopen = () => {
    say('Trực tiếp: số liệu mới hiện ra ngay khi được lưu (Server-Sent Events).', 'live');
    if (opened) return; // a reconnect resumes with Last-Event-ID
    opened = true;
    // What was stored between the first read and the stream's start: read the latest values again.
    latest()
      .then((again) => {
        for (const ds of again) {
          const o = ds.Observations?.[0];
          const r = rows.get(ds['@iot.id']);
          if (o && r && instantOf(o.phenomenonTime) > r.t) show(ds['@iot.id'], o, true);
        }
      })
      .catch(() => {});
  };
  es.onerror = () => say('Mất kết nối; đang kết nối lại…', 'reconnecting');
}

start().catch((e) => say(`Không tải được số liệu: ${e.message}`, 'error'));
