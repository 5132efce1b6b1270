// The web control panel: plain JavaScript over the REST API (/api/v1) and its event stream.
'use strict';

const API = '/api/v1';
const WINDOW_MS = 60000; // the chart shows the last minute
const devices = new Map(); // index -> { info, card, series: Map(key -> series) }
const clients = new Map(); // id -> name
const colors = getComputedStyle(document.documentElement)
  .getPropertyValue('--series').split(',').map((c) => c.trim());
const $ = (selector, root = document) => root.querySelector(selector);

async function api(method, path) {
  const response = await fetch(API + path, { method });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  const type = response.headers.get('content-type') || '';
  return type.startsWith('application/json') ? response.json() : null;
}

function report(error) {
  console.error(error);
  $('#link').textContent = String(error.message || error);
}

// ---- clients ----
function renderClients() {
  const list = $('#clients');
  list.replaceChildren();
  for (const [id, name] of clients) {
    const li = document.createElement('li');
    li.textContent = name || '(unnamed client)';
    li.dataset.client = id;
    list.append(li);
  }
  if (clients.size === 0) {
    list.innerHTML = '<li class="none">No client connected</li>';
  }
  // Driving outputs by hand is for when no app is connected.
  for (const input of document.querySelectorAll('.outputs input')) input.disabled = clients.size > 0;
}

// ---- scanning ----
function setScanning(on) {
  const button = $('#scan');
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Stop scanning' : 'Start scanning';
}

// ---- devices ----
function outputsOf(info) {
  const outputs = [];
  for (const feature of Object.values(info.features)) {
    for (const [type, output] of Object.entries(feature.Output || {})) {
      const [low, high] = output.Value || [0, 0];
      if (type === 'HwPositionWithDuration') continue;
      outputs.push({ feature: feature.FeatureIndex, type, max: Math.max(Math.abs(low), Math.abs(high)) || 1 });
    }
  }
  return outputs;
}

function hasBattery(info) {
  return Object.values(info.features).some((f) => f.Input && f.Input.Battery);
}

function addDevice(info) {
  removeDevice(info.index);
  const card = $('#device-template').content.firstElementChild.cloneNode(true);
  card.dataset.device = info.index;
  $('.name', card).textContent = info.display_name || info.name;
  $('.index', card).textContent = `#${info.index}`;
  const device = { info, card, series: new Map() };
  outputsOf(info).forEach((o, n) => {
    const key = `${o.feature}-${o.type}`;
    const legend = document.createElement('li');
    legend.style.setProperty('--color', colors[n % colors.length]);
    legend.dataset.series = key;
    legend.dataset.level = '0';
    device.series.set(key, { ...o, color: colors[n % colors.length], points: [[Date.now(), 0]], legend });
    $('.legend', card).append(legend);
    const label = document.createElement('label');
    label.textContent = `Feature ${o.feature} ${o.type} `;
    const slider = Object.assign(document.createElement('input'),
      { type: 'range', min: o.type === 'Rotate' ? -100 : 0, max: 100, value: 0 });
    slider.dataset.series = key;
    slider.disabled = clients.size > 0;
    slider.addEventListener('input', () => drive(info.index, o, slider.value / 100));
    label.append(slider);
    $('.outputs', card).append(label);
  });
  const cap = $('.cap', card);
  const capSlider = $('input', cap);
  const showCap = () => { $('output', cap).textContent = `${capSlider.value}%`; };
  capSlider.addEventListener('input', showCap);
  cap.addEventListener('submit', (e) => {
    e.preventDefault();
    setCap(device, capSlider.value / 100).catch(report);
  });
  $('.no-cap', cap).addEventListener('click', () => setCap(device, 'none').catch(report));
  $('.stop', card).addEventListener('click', () => api('PUT', `/devices/${info.index}/stop`).catch(report));
  devices.set(info.index, device);
  $('#devices').append(card);
  $('#no-devices').hidden = true;
  updateLegend(device);
  api('GET', `/devices/${info.index}/limits`).then((l) => showLimits(device, l)).catch(report);
  if (hasBattery(info)) {
    api('GET', `/devices/${info.index}/battery`).then((r) => showBattery(device, r.value)).catch(report);
  }
}

function removeDevice(index) {
  const device = devices.get(index);
  if (!device) return;
  device.card.remove();
  devices.delete(index);
  $('#no-devices').hidden = devices.size > 0;
}

function showBattery(device, value) {
  const battery = $('.battery', device.card);
  battery.hidden = false;
  $('span', battery).textContent = `${value}%`;
}

// In a server shared by several apps: the app that holds the device (null: free).
function showHolder(index, client) {
  const device = devices.get(index);
  if (!device) return;
  const holder = $('.holder', device.card);
  holder.hidden = client === null;
  $('span', holder).textContent = client || '';
}

function showLimits(device, limits) {
  const cap = $('.cap', device.card);
  const level = limits.max_level;
  // Without a cap of its own, the server's default (--max-level) applies.
  const fallback = limits.defaults ? limits.defaults.max_level : null;
  const shown = level === null ? fallback : level;
  $('input', cap).value = shown === null ? 100 : Math.round(shown * 100);
  $('output', cap).textContent = shown === null ? 'none'
    : level === null ? `${Math.round(shown * 100)}% (server default)`
    : `${Math.round(shown * 100)}%`;
  device.card.dataset.cap = level === null ? 'none' : String(level);
}

async function setCap(device, level) {
  showLimits(device, await api('PUT', `/devices/${device.info.index}/limits/max_level/${level}`));
}

// One request in flight per output; the latest slider value wins.
const driving = new Map();
async function drive(index, output, level) {
  const key = `${index}-${output.feature}-${output.type}`;
  const busy = driving.has(key);
  driving.set(key, level);
  if (busy) return;
  while (driving.has(key)) {
    const next = driving.get(key);
    try {
      await api('PUT', `/devices/${index}/features/${output.feature}/outputs/${output.type}/${next}`);
    } catch (e) {
      report(e);
    }
    if (driving.get(key) === next) driving.delete(key);
  }
}

// ---- chart ----
function record(index, feature, type, value) {
  const device = devices.get(index);
  const series = device && device.series.get(`${feature}-${type}`);
  if (!series) return;
  series.points.push([Date.now(), value / series.max]);
  updateLegend(device);
}

function updateLegend(device) {
  for (const s of device.series.values()) {
    const level = s.points[s.points.length - 1][1];
    s.legend.textContent = `Feature ${s.feature} ${s.type}: ${Math.round(level * 100)}%`;
    s.legend.dataset.level = String(Math.round(level * s.max));
  }
}

function draw() {
  const now = Date.now();
  for (const device of devices.values()) {
    const canvas = $('canvas', device.card);
    // Draw at the screen's resolution, whatever size the page gives the canvas.
    const scale = window.devicePixelRatio || 1;
    const width = Math.round(canvas.clientWidth * scale);
    const height = Math.round(canvas.clientHeight * scale);
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(canvas);
    ctx.strokeStyle = style.borderTopColor;
    ctx.lineWidth = scale;
    ctx.beginPath(); // a line at half level
    ctx.moveTo(0, height / 2);
    ctx.lineTo(width, height / 2);
    ctx.stroke();
    ctx.fillStyle = style.color;
    ctx.font = `${11 * scale}px system-ui, sans-serif`;
    ctx.fillText('1 min ago', 4 * scale, height - 4 * scale);
    ctx.fillText('now', width - 26 * scale, height - 4 * scale);
    const x = (t) => width - ((now - t) / WINDOW_MS) * width;
    const y = (level) => height - 2 * scale - Math.abs(level) * (height - 4 * scale);
    for (const s of device.series.values()) {
      // Drop what left the window, keeping the level it left at.
      while (s.points.length > 1 && s.points[1][0] < now - WINDOW_MS) s.points.shift();
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2 * scale;
      ctx.beginPath();
      s.points.forEach(([t, level], n) => {
        const px = Math.max(0, x(t));
        if (n === 0) {
          ctx.moveTo(px, y(level));
        } else { // a step: along at the old level, then up or down to the new one
          ctx.lineTo(px, y(s.points[n - 1][1]));
          ctx.lineTo(px, y(level));
        }
      });
      ctx.lineTo(width, y(s.points[s.points.length - 1][1]));
      ctx.stroke();
    }
  }
}

// ---- events ----
async function reload() {
  const [list, scanning, connected, held] = await Promise.all([
    api('GET', '/devices'), api('GET', '/scanning'), api('GET', '/clients'), api('GET', '/claims'),
  ]);
  for (const index of [...devices.keys()]) removeDevice(index);
  for (const info of Object.values(list)) addDevice(info);
  for (const [index, client] of Object.entries(held)) showHolder(Number(index), client);
  setScanning(scanning.scanning);
  clients.clear();
  for (const c of connected) clients.set(c.id, c.name);
  renderClients();
}

function listen() {
  const events = new EventSource(`${API}/events`);
  events.onopen = () => {
    $('#link').textContent = 'live';
    reload().catch(report);
  };
  events.onerror = () => { $('#link').textContent = 'reconnecting…'; };
  events.onmessage = (message) => {
    const e = JSON.parse(message.data);
    switch (e.type) {
      case 'DeviceAdded': addDevice(e); break;
      case 'DeviceRemoved': removeDevice(e.index); break;
      case 'OutputChanged': record(e.index, e.feature_index, e.output_type, e.value); break;
      case 'InputReading':
        if (e.input_type === 'Battery' && devices.has(e.index)) showBattery(devices.get(e.index), e.value);
        break;
      case 'ClaimChanged': showHolder(e.index, e.client); break;
      case 'ScanningStarted': setScanning(true); break;
      case 'ScanningStopped': setScanning(false); break;
      case 'ClientConnected': clients.set(e.id, e.name); renderClients(); break;
      case 'ClientDisconnected': clients.delete(e.id); renderClients(); break;
      case 'EventsMissed': reload().catch(report); break;
    }
  };
}

$('#scan').addEventListener('click', () => {
  const on = $('#scan').getAttribute('aria-pressed') === 'true';
  api('GET', on ? '/stop-scanning' : '/start-scanning').catch(report);
});
$('#stop-all').addEventListener('click', () => api('PUT', '/devices/stop').catch(report));
listen();
setInterval(draw, 250);
// Batteries change slowly: read them again every minute.
setInterval(() => {
  for (const device of devices.values()) {
    if (hasBattery(device.info)) {
      api('GET', `/devices/${device.info.index}/battery`)
        .then((r) => showBattery(device, r.value)).catch(report);
    }
  }
}, 60000);
