// The storyreel web page: submit a story, follow the job live over Server-Sent Events, watch
// shot thumbnails appear, play the film with subtitles, re-roll a shot, and rewrite a scene.
// Edit the storyboard (lines, picture prompts, voices) and see what will be made again; resume a
// cancelled job; list your films; see the cast and give a character another take or your own picture. Plain JavaScript against the REST API (/docs); no build step.

const $ = (selector) => document.querySelector(selector);
const FINISHED = new Set(["done", "failed", "cancelled"]);
const KEY_STORAGE = "storyreel-api-key";
const SOFT_STORAGE = "storyreel-soft-subtitles";

let current = null;   // the job shown, as GET /v1/jobs/{id} returns it
let events = null;    // its EventSource
let refreshTimer = null;
const board = {
  saved: null,     // the storyboard as the gateway has it (GET /v1/jobs/{id}/storyboard)
  edited: null,    // the same with the user's changes, saved with PUT
  key: "",         // which job state `saved` was read at: read again when it changes
};
let castKey = "";    // which job state the cast was read at
let castDrawn = "";  // the cast as drawn (GET .../characters), to redraw only when it changed
let subtitlesTouched = false;  // a subtitle choice was changed in the form: Render again sends it

// ------------------------------------------------------------------ talking to the API

function apiKey() {
  return $("#api-key").value.trim();
}

function withToken(url) {
  // <video>, <img> and EventSource cannot send headers: GETs may carry the key in the URL.
  const key = apiKey();
  if (!key) return url;
  return url + (url.includes("?") ? "&" : "?") + "access_token=" + encodeURIComponent(key);
}

async function api(method, path, body) {
  const headers = {};
  if (apiKey()) headers.Authorization = "Bearer " + apiKey();
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(describeError(data, response.status));
  return data;
}

function describeError(data, status) {
  const detail = data.detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return detail ? String(detail) : `the gateway answered HTTP ${status}`;
}

// ------------------------------------------------------------------ submitting a story

function options() {
  const body = {
    title: $("#title").value.trim(),
    max_minutes: Number($("#max-minutes").value || 0),
    visual_backend: $("#visual-backend").value.trim(),
    style: $("#style").value.trim(),
  };
  if ($("#language").value) body.language = $("#language").value;
  if ($("#profile").value) body.profile = $("#profile").value;
  if ($("#aspect").value) body.aspect = $("#aspect").value;
  const subtitles = subtitleChoice();
  if (subtitles) body.subtitles = subtitles;
  return body;
}

function subtitleChoice() {
  // Only what differs from the defaults (the composer's own mode, medium, bottom), so a job that
  // chooses nothing is the job it always was.
  const choice = {};
  if ($("#subtitle-mode").value) choice.mode = $("#subtitle-mode").value;
  if ($("#subtitle-size").value !== "medium") choice.size = $("#subtitle-size").value;
  if ($("#subtitle-position").value !== "bottom") choice.position = $("#subtitle-position").value;
  return Object.keys(choice).length ? choice : null;
}

async function submit(event) {
  event.preventDefault();
  const error = $("#form-error");
  error.hidden = true;
  $("#submit").disabled = true;
  try {
    const music = $("#music-file").files[0];
    let job;
    if (music) {
      const form = new FormData();
      form.append("story", $("#story").value);
      for (const [name, value] of Object.entries(options())) {
        form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));  // subtitles: JSON
      }
      form.append("music_file", music);
      job = await api("POST", "/v1/jobs", form);
    } else {
      job = await api("POST", "/v1/jobs", { story: $("#story").value, ...options() });
    }
    openJob(job.id, job);
    loadRecent();
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  } finally {
    $("#submit").disabled = false;
  }
}

function readStoryFile() {
  const file = $("#story-file").files[0];
  if (!file) return;
  const reader = new FileReader();
  reader.onload = () => { $("#story").value = reader.result; };
  reader.readAsText(file, "utf-8");
}

// ------------------------------------------------------------------ following a job

function openJob(jobId, view) {
  history.replaceState(null, "", "#job=" + jobId);
  $("#job").hidden = false;
  if (!current || current.id !== jobId) {
    Object.assign(board, { saved: null, edited: null, key: "" });
    drawBoard();
  }
  current = view || null;
  if (current) render(current);
  follow(jobId);
}

function follow(jobId) {
  if (events) events.close();
  events = new EventSource(withToken(`/v1/jobs/${jobId}/events`));
  events.addEventListener("snapshot", (message) => render(JSON.parse(message.data)));
  for (const kind of ["state", "storyboard", "shot", "music", "film", "cast"]) {
    events.addEventListener(kind, (message) => onEvent(kind, JSON.parse(message.data)));
  }
  events.onerror = () => {
    // The stream ends when the job is finished; otherwise the browser reconnects by itself,
    // sending Last-Event-ID, and gets exactly the events it missed.
    if (current && FINISHED.has(current.state)) events.close();
  };
}

function onEvent(kind, data) {
  if (!current) return;
  current.state = data.state;
  current.progress = data.progress;
  current.eta_s = data.eta_s;
  showProgress(current);
  if (kind === "shot" && data.step === "visuals") markShot(data.shot_id, data.done ? "done" : "rendering");
  if (FINISHED.has(data.state)) {
    events.close();
    loadRecent();
    scheduleRefresh(0);  // the film, its links and the buttons at once
    return;
  }
  scheduleRefresh();
}

function scheduleRefresh(delayMs = 400) {
  // Events say what changed; the whole job (links, shots, error) is fetched at most every 400 ms.
  if (refreshTimer) {
    if (delayMs > 0) return;
    clearTimeout(refreshTimer);
  }
  refreshTimer = setTimeout(async () => {
    refreshTimer = null;
    if (!current) return;
    const view = await api("GET", `/v1/jobs/${current.id}`);
    // A fetch that left before the job finished may come back after the one that saw it finish.
    const stale = FINISHED.has(current.state) && !FINISHED.has(view.state) && view.revision === current.revision;
    if (!stale) render(view);
  }, delayMs);
}

// ------------------------------------------------------------------ drawing the job

function render(view) {
  current = view;
  $("#job-title").textContent = view.title || "Film";
  showProgress(view);
  const error = $("#job-error");
  error.hidden = !view.error;
  if (view.error) {
    const where = view.error.shot_id ? ` at shot ${view.error.shot_id}` : "";
    error.textContent = `${view.error.step} failed${where}: ${view.error.reason}`;
  }
  $("#cancel").hidden = FINISHED.has(view.state);
  showResume(view);
  showOverCap(view);
  const notes = view.plan_notes || [];
  $("#job-notes").hidden = !notes.length;
  $("#job-notes").textContent = notes.length ? "Shortened: " + notes.join(" ") : "";
  showFilm(view);
  showShots(view);
  showScenes(view);
  loadBoard(view);
  loadCast(view);
}

function showProgress(view) {
  $("#job-state").textContent = view.state;
  $("#job-progress").value = view.progress;
  const eta = view.eta_s;
  $("#job-eta").textContent = FINISHED.has(view.state) || eta === null || eta === undefined
    ? "" : `about ${formatSeconds(eta)} left${view.eta_basis === "prior" ? " (estimate)" : ""}`;
}

function formatSeconds(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

function showFilm(view) {
  const video = $("#film");
  const ready = view.duration_s !== null && view.duration_s !== undefined;
  video.hidden = !ready;
  for (const id of ["#download", "#download-srt"]) $(id).hidden = !ready;
  if (!ready) return;
  const first = view.shots.find((shot) => shot.links.keyframe);
  if (first) video.poster = withToken(first.links.keyframe);
  const src = withToken(view.links.video);
  if (video.dataset.src === src) return;  // the same film: keep playing
  video.dataset.src = src;
  video.replaceChildren();
  // The job says how its film carries the subtitles. Burned in (or none): the soft track stays
  // hidden (loaded, not drawn) and so does its switch, so one line shows, not two. Soft: the
  // switch shows, on unless the viewer turned it off. A film from before the job said (null):
  // the switch shows, off unless the viewer turned it on.
  const switchable = view.subtitles !== "burned" && view.subtitles !== "none";
  $("#soft-subtitles-label").hidden = !switchable;
  const stored = localStorage.getItem(SOFT_STORAGE);
  $("#soft-subtitles").checked = switchable && (stored ? stored === "on" : view.subtitles === "soft");
  const track = document.createElement("track");
  Object.assign(track, { kind: "subtitles", label: "Subtitles", srclang: "en",
                         src: withToken(view.links.subtitles_vtt) });
  video.append(track);
  showSoftSubtitles();
  video.src = src;
  $("#download").href = src;
  $("#download-srt").href = withToken(view.links.subtitles);
}

function showSoftSubtitles() {
  const track = $("#film").textTracks[0];
  if (track) track.mode = $("#soft-subtitles").checked ? "showing" : "hidden";
}

function showList(list, entries, make, update) {
  // Keep one element per entry (by id) in the entries' order: made once, then updated in place,
  // so an open re-roll or rewrite box survives a refresh.
  const known = new Map([...list.children].map((item) => [item.dataset.id, item]));
  entries.forEach((entry, index) => {
    const item = known.get(entry.id) || make(entry);
    if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    update(item, entry);
    known.delete(entry.id);
  });
  for (const stale of known.values()) stale.remove();
}

function showShots(view) {
  showList($("#shots"), view.shots, newShot, updateShot);
}

function showScenes(view) {
  showList($("#scenes"), view.scenes, newScene, updateScene);
}

function updateScene(item, scene) {
  item.querySelector(".scene-title").textContent = scene.title || scene.id;
  const state = settledState(scene.state);
  item.dataset.state = state;
  item.querySelector(".scene-state").textContent = `${state}, ${scene.shots_done}/${scene.shots_total} shots`;
}

function settledState(state) {
  // A scene or shot the job left half made says so once the job stopped: nothing renders it now.
  if (!current || !FINISHED.has(current.state) || current.state === "done") return state;
  return ["rendering", "speaking", "re-rolling"].includes(state) ? "stopped" : state;
}

function newScene(scene) {
  const item = $("#scene-template").content.firstElementChild.cloneNode(true);
  item.dataset.id = scene.id;
  const details = item.querySelector("details");
  details.addEventListener("toggle", () => { if (details.open) fillSceneText(item); });
  item.querySelector("button").addEventListener("click", () => replan(item));
  return item;
}

async function fillSceneText(item) {
  // The scene as story text (a paragraph a shot, dialogue quoted with its speaker), from the gateway.
  const textarea = item.querySelector("textarea");
  if (textarea.value) return;
  const headers = apiKey() ? { Authorization: "Bearer " + apiKey() } : {};
  const response = await fetch(`/v1/jobs/${current.id}/scenes/${item.dataset.id}/text`, { headers });
  if (response.ok) textarea.value = await response.text();
}

function newShot(shot) {
  const item = $("#shot-template").content.firstElementChild.cloneNode(true);
  item.dataset.id = shot.id;
  item.querySelector(".shot-id").textContent = shot.id;
  const prompt = item.querySelector("textarea");
  prompt.value = shot.visual_prompt;
  prompt.addEventListener("input", () => checkWordsSoon(item));
  item.querySelector("details").addEventListener("toggle", () => checkWordsSoon(item));
  item.querySelector("button").addEventListener("click", () => reroll(item));
  return item;
}

// ------------------------------------------------------------------ what the animatic can draw

const WORD_CHECK_DELAY_MS = 300;

function checkWordsSoon(item) {
  // As the user types (debounced): which of the prompt's words the job's backend will draw, checked
  // by the visual service with the animatic's own matching, so a missing lighthouse is no surprise.
  clearTimeout(item.wordTimer);
  item.wordTimer = setTimeout(() => checkWords(item), WORD_CHECK_DELAY_MS);
}

async function checkWords(item) {
  const note = item.querySelector(".reroll-words");
  const prompt = item.querySelector("textarea").value.trim();
  if (!item.querySelector("details").open || !prompt || !current) { note.textContent = ""; return; }
  const asked = prompt;
  try {
    const body = { prompt, backend: current.options.visual_backend || "" };
    const found = await api("POST", "/v1/visual/vocabulary/check", body);
    if (item.querySelector("textarea").value.trim() !== asked) return; // typed on: a newer check follows
    note.textContent = wordsNote(found);
  } catch (failure) {
    note.textContent = `Cannot check the words: ${failure.message}`;
  }
}

function wordsNote(found) {
  if (found.any_prompt) return `The ${found.backend} backend draws from any prompt.`;
  const drawn = [...new Set(found.drawn.map((word) => word.word))];
  const parts = [`The animatic will draw: ${drawn.length ? drawn.join(", ") : "nothing it knows"}`];
  if (found.not_drawn.length) parts.push(`it cannot draw: ${found.not_drawn.join(", ")}`);
  return parts.join(" · ");
}

function updateShot(item, shot) {
  const state = settledState(shot.state);
  item.dataset.state = state;
  item.querySelector(".shot-state").textContent = state;
  item.querySelector(".shot-length").textContent = shot.duration_s ? `${shot.duration_s.toFixed(1)} s` : "";
  const planned = board.saved && boardShots(board.saved).find((s) => s.id === shot.id);
  if (planned) item.querySelector(".shot-line").textContent = linesText(board.saved, planned);
  const img = item.querySelector("img");
  if (shot.links.keyframe) {
    const src = withToken(shot.links.keyframe);
    if (img.getAttribute("src") !== src) img.src = src;
    img.alt = shot.visual_prompt;
    img.hidden = false;
  }
  const prompt = item.querySelector("textarea");
  if (document.activeElement !== prompt && !item.querySelector("details").open) prompt.value = shot.visual_prompt;
}

function markShot(shotId, state) {
  const item = [...$("#shots").children].find((child) => child.dataset.id === shotId);
  if (item) {
    item.dataset.state = state;
    item.querySelector(".shot-state").textContent = state;
  }
}

// ------------------------------------------------------------------ the storyboard editor

function boardShots(storyboard) {
  return storyboard.scenes.flatMap((scene) => scene.shots);
}

function speakerName(storyboard, speakerId) {
  if (!speakerId) return "Narrator";
  const character = storyboard.characters.find((c) => c.id === speakerId);
  return character ? character.name : speakerId;
}

function linesText(storyboard, shot) {
  // What the shot says: narration as it is, a character's line after their name.
  return shot.lines.map((line) => line.speaker_id
    ? `${speakerName(storyboard, line.speaker_id)}: “${line.text}”` : line.text).join(" ");
}

function dirty() {
  return board.edited !== null && JSON.stringify(board.edited) !== JSON.stringify(board.saved);
}

async function loadBoard(view) {
  // Read the storyboard once the job has one, and again when the job moves on (lengths come
  // from speech) — never over the user's unsaved changes.
  const key = `${view.id}:${view.revision}:${view.state}:${view.shots.length}:${view.shots.filter((s) => s.duration_s).length}`;
  if (!view.shots.length || key === board.key || dirty()) return;
  board.key = key;
  try {
    const storyboard = await api("GET", `/v1/jobs/${view.id}/storyboard`);
    if (!current || current.id !== view.id || dirty()) return;
    board.saved = storyboard;
    board.edited = structuredClone(storyboard);
    drawBoard();
    showShots(current);  // the cards' lines
  } catch (failure) {
    board.key = "";  // try again at the next change
  }
}

function focusedField() {
  // Where the user's cursor is in the editor, by what it edits (not by the element, which a
  // redraw replaces), so that a redraw while they type keeps their place and their next keys.
  const field = document.activeElement;
  if (!field || !$("#storyboard").contains(field) || !field.className) return null;
  const owner = field.closest("[data-id]");
  if (!owner) return null;
  const text = typeof field.selectionStart === "number";
  return {
    owner: owner.className, id: owner.dataset.id, field: field.className, index: field.dataset.index || "",
    start: text ? field.selectionStart : null, end: text ? field.selectionEnd : null,
  };
}

function refocus(place) {
  if (!place) return;
  const owner = [...$("#storyboard").getElementsByClassName(place.owner)].find((o) => o.dataset.id === place.id);
  const field = owner && [...owner.getElementsByClassName(place.field)]
    .find((f) => (f.dataset.index || "") === place.index);
  if (!field) return;
  field.focus();
  if (place.start !== null) field.setSelectionRange(place.start, place.end);
}

function drawBoard() {
  const storyboard = board.edited;
  $("#storyboard").hidden = !storyboard;
  if (!storyboard) return;
  const place = focusedField();
  const voices = [{ id: "", name: "Narrator", voice: storyboard.narrator_voice }, ...storyboard.characters];
  $("#voices").replaceChildren(...voices.map((who) => voiceEditor(who)));
  const lengths = new Map(current ? current.shots.map((shot) => [shot.id, shot.duration_s]) : []);
  $("#board").replaceChildren(...storyboard.scenes.map((scene) => {
    const item = document.createElement("li");
    item.className = "board-scene";
    const title = document.createElement("h5");
    title.textContent = scene.title || scene.id;
    const shots = document.createElement("ol");
    shots.append(...scene.shots.map((shot) => shotEditor(storyboard, shot, lengths.get(shot.id))));
    item.append(title, shots);
    return item;
  }));
  refocus(place);
  showChanges();
}

function shotEditor(storyboard, shot, length) {
  const item = $("#board-shot-template").content.firstElementChild.cloneNode(true);
  item.dataset.id = shot.id;
  item.querySelector(".board-shot-id").textContent = shot.id;
  item.querySelector(".board-shot-length").textContent = length ? `${length.toFixed(1)} s` : "length once spoken";
  item.querySelector(".board-lines").append(...shot.lines.map((line, index) => {
    const row = document.createElement("li");
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.value = line.text;
    input.className = "board-line";
    input.dataset.index = String(index);
    input.addEventListener("input", () => { shot.lines[index].text = input.value; showChanges(); });
    label.append(`${speakerName(storyboard, line.speaker_id)} `, input);
    row.append(label);
    return row;
  }));
  const prompt = item.querySelector(".board-prompt");
  prompt.value = shot.visual_prompt;
  prompt.addEventListener("input", () => { shot.visual_prompt = prompt.value; showChanges(); });
  return item;
}

function voiceEditor(who) {
  const box = $("#voice-template").content.firstElementChild.cloneNode(true);
  box.dataset.id = who.id;
  box.querySelector(".voice-name").textContent = who.name;
  const voice = who.voice;
  const fields = [[".voice-engine", "engine", String], [".voice-id", "voice_id", String],
                  [".voice-pitch", "pitch", Number], [".voice-rate", "rate_wpm", Number]];
  for (const [selector, field, convert] of fields) {
    const input = box.querySelector(selector);
    input.value = String(voice[field]);
    input.addEventListener("input", () => { voice[field] = convert(input.value); showChanges(); });
  }
  box.querySelector(".voice-listen").addEventListener("click", () => audition(box, voice));
  return box;
}

async function audition(box, voice) {
  // A short sample of the voice as set now, spoken by the audio service (POST /v1/voices/audition).
  const said = box.querySelector(".voice-said");
  const player = box.querySelector(".voice-sample");
  said.textContent = "speaking…";
  const headers = { "Content-Type": "application/json" };
  if (apiKey()) headers.Authorization = "Bearer " + apiKey();
  const language = board.saved && board.saved.language === "hi" ? "hi" : "en";
  const response = await fetch("/v1/voices/audition", {
    method: "POST", headers, body: JSON.stringify({ voice, language }),
  });
  if (!response.ok) {
    said.textContent = describeError(await response.json().catch(() => ({})), response.status);
    return;
  }
  if (player.src) URL.revokeObjectURL(player.src);
  player.src = URL.createObjectURL(await response.blob());
  said.textContent = "";
  await player.play().catch(() => { said.textContent = "press play: the browser held the sound back"; });
  player.controls = true;
}

function changes() {
  // What the gateway will make again for the edits so far (gateway/README.md's table).
  const saved = board.saved, edited = board.edited;
  if (!saved || !edited) return [];
  const said = [];
  const voiceOf = (storyboard) => JSON.stringify([storyboard.narrator_voice,
    ...storyboard.characters.map((c) => c.voice)]);
  if (voiceOf(saved) !== voiceOf(edited)) {
    said.push("every shot's speech (voices are cast together), then the pictures whose length changes");
  }
  const before = new Map(boardShots(saved).map((shot) => [shot.id, shot]));
  for (const shot of boardShots(edited)) {
    const old = before.get(shot.id);
    if (!old) continue;
    if (JSON.stringify(old.lines) !== JSON.stringify(shot.lines)) {
      said.push(`${shot.id}: its speech and picture (and its scene's music if its length changes)`);
    } else if (old.visual_prompt !== shot.visual_prompt) {
      said.push(`${shot.id}: its picture`);
    }
  }
  if (said.length) said.push("then the film");
  return said;
}

function showChanges() {
  const said = changes();
  $("#board-changes").textContent = said.length ? "Will be made again: " + said.join("; ") + "." : "";
  $("#board-save").disabled = !said.length;
  $("#board-undo").disabled = !said.length;
}

async function saveBoard() {
  const button = $("#board-save");
  const error = $("#board-error");
  error.hidden = true;
  const empty = boardShots(board.edited).flatMap((shot) => shot.lines).some((line) => !line.text.trim());
  if (empty) {
    error.textContent = "a line is empty: write something, or rewrite the scene to remove it";
    error.hidden = false;
    return;
  }
  button.disabled = true;
  const said = changes();
  try {
    const view = await api("PUT", `/v1/jobs/${current.id}/storyboard`, board.edited);
    board.saved = structuredClone(board.edited);
    $("#board-changes").textContent = "Saved. Making again: " + said.join("; ") + ".";
    $("#board-undo").disabled = true;
    board.key = "";
    render(view);
    follow(view.id);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
    button.disabled = false;
  }
}

function undoBoard() {
  board.edited = structuredClone(board.saved);
  drawBoard();
}

// ------------------------------------------------------------------ the cast

async function loadCast(view) {
  // GET .../characters once the job has a storyboard, and again when the job moves on.
  const key = `${view.id}:${view.revision}:${view.state}:${view.shots.filter((s) => s.visual_done).length}`;
  if (!view.shots.length || key === castKey) return;
  castKey = key;
  try {
    const cast = await api("GET", `/v1/jobs/${view.id}/characters`);
    if (!current || current.id !== view.id) return;
    const drawn = JSON.stringify(cast);
    if (drawn === castDrawn) return;  // the same cast: the cards (and a file being chosen) stay
    castDrawn = drawn;
    $("#cast").hidden = !cast.length;
    $("#cast-cards").replaceChildren(...cast.map(castCard));
  } catch (failure) {
    castKey = "";  // try again at the next change
  }
}

function castCard(who) {
  const card = $("#cast-template").content.firstElementChild.cloneNode(true);
  card.dataset.id = who.id;
  card.querySelector(".cast-name").textContent = who.name;
  card.querySelector(".cast-look").textContent = who.description;
  const picture = card.querySelector(".cast-picture");
  picture.alt = `${who.name}'s picture`;
  if (who.links.picture) {
    picture.src = withToken(who.links.picture);
    picture.hidden = false;
  }
  const made = who.picture;
  card.querySelector(".cast-source").textContent = !made ? (who.shots.length ? "picture to come" : "in no shot")
    : made.uploaded ? "your picture" : `take ${made.take + 1}`;
  card.querySelector(".cast-take").addEventListener("click", () => newReference(card, null));
  const file = card.querySelector("input[type=file]");
  file.addEventListener("change", () => { if (file.files.length) newReference(card, file.files[0]); });
  return card;
}

async function newReference(card, file) {
  // PUT .../characters/{id}/reference: the picture as the body, or nothing for another take.
  const error = $("#cast-error");
  error.hidden = true;
  const buttons = card.querySelectorAll("button, input");
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const headers = {};
    if (apiKey()) headers.Authorization = "Bearer " + apiKey();
    if (file) headers["Content-Type"] = file.type;
    const response = await fetch(`/v1/jobs/${current.id}/characters/${card.dataset.id}/reference`,
                                 { method: "PUT", headers, body: file || undefined });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(describeError(data, response.status));
    card.querySelector(".cast-source").textContent = file ? "your picture, on its way" : "a new take, on its way";
    render(data);
    follow(data.id);
  } catch (failure) {
    error.textContent = failure.message;
    error.hidden = false;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

// ------------------------------------------------------------------ changing a job

async function reroll(item) {
  const button = item.querySelector("button");
  button.disabled = true;
  try {
    const prompt = item.querySelector("textarea").value.trim();
    const body = prompt ? { prompt } : {};
    const view = await api("POST", `/v1/jobs/${current.id}/shots/${item.dataset.id}/reroll`, body);
    item.querySelector("details").open = false;
    markShot(item.dataset.id, "re-rolling");
    render(view);
    follow(view.id);
  } catch (failure) {
    alert(failure.message);
  } finally {
    button.disabled = false;
  }
}

async function replan(item) {
  const button = item.querySelector("button");
  const text = item.querySelector("textarea").value.trim();
  if (!text) return;
  button.disabled = true;
  try {
    const view = await api("POST", `/v1/jobs/${current.id}/scenes/${item.dataset.id}/replan`, { text });
    item.querySelector("details").open = false;
    item.querySelector("textarea").value = "";  // read again from the new storyboard when reopened
    render(view);
    follow(view.id);
  } catch (failure) {
    alert(failure.message);
  } finally {
    button.disabled = false;
  }
}

async function cancel() {
  if (!current) return;
  try {
    render(await api("DELETE", `/v1/jobs/${current.id}`));
  } catch (failure) {
    alert(failure.message);
  }
}

function showOverCap(view) {
  // The planner fits max_minutes from expected speech; say so when the measured film is longer.
  const cap = view.options.max_minutes * 60;
  const note = $("#job-over-cap");
  note.hidden = !(cap > 0 && view.duration_s && view.duration_s > cap);
  if (!note.hidden) {
    note.textContent = `The film is ${formatSeconds(view.duration_s)}, over its limit of ${formatSeconds(cap)}: `
      + "its voices speak more slowly than the planner expected. A lower limit makes it shorter.";
  }
}

function showResume(view) {
  // After a cancel or a failure: resume (what is done is kept). After a film: render it again,
  // with the quality, visual backend and style chosen in the form's options, if any.
  const button = $("#resume");
  button.hidden = !FINISHED.has(view.state);
  button.textContent = view.state === "done" ? "Render again" : "Resume";
  // After a preview, one button makes the final: storyboard, speech and music are reused.
  $("#final-cut").hidden = !(view.state === "done" && view.options.profile === "preview");
}

async function finalCut() {
  if (!current) return;
  const button = $("#final-cut");
  button.disabled = true;
  try {
    // The final quality: the form's choice when it names one, else 720p (the default profile).
    const chosen = $("#profile").value;
    const change = { ...renderChanges(), profile: chosen && chosen !== "preview" ? chosen : "720p" };
    const view = await api("POST", `/v1/jobs/${current.id}/render`, change);
    render(view);
    follow(view.id);
  } catch (failure) {
    alert(failure.message);
  } finally {
    button.disabled = false;
  }
}

function renderChanges() {
  const change = {};
  if ($("#profile").value) change.profile = $("#profile").value;
  if ($("#visual-backend").value.trim()) change.visual_backend = $("#visual-backend").value.trim();
  if ($("#style").value.trim()) change.style = $("#style").value.trim();
  // The subtitles as the form has them, once the viewer changed one of them (else the job's stay):
  // only the film is composed again.
  if (subtitlesTouched) {
    change.subtitles = { mode: $("#subtitle-mode").value || null, size: $("#subtitle-size").value,
                         position: $("#subtitle-position").value };
  }
  return change;
}

async function resume() {
  if (!current) return;
  const button = $("#resume");
  button.disabled = true;
  try {
    const body = current.state === "done" ? renderChanges() : {};
    const view = await api("POST", `/v1/jobs/${current.id}/render`, body);
    render(view);
    follow(view.id);
  } catch (failure) {
    alert(failure.message);
  } finally {
    button.disabled = false;
  }
}

async function deleteJob(job) {
  if (!confirm(`Delete “${job.title || job.id}” and all its files? This cannot be undone.`)) return;
  try {
    const headers = apiKey() ? { Authorization: "Bearer " + apiKey() } : {};
    const response = await fetch(`/v1/jobs/${job.id}?purge=true`, { method: "DELETE", headers });
    if (!response.ok) {
      const data = await response.json().catch(() => ({}));
      throw new Error(describeError(data, response.status));
    }
    if (current && current.id === job.id) {
      if (events) events.close();
      current = null;
      $("#job").hidden = true;
      history.replaceState(null, "", location.pathname);
    }
    loadRecent();
  } catch (failure) {
    alert(failure.message);
  }
}

// Each loadRecent asks anew; an answer that comes after a newer question's is stale (the list of a
// just-submitted, still queued job landing after the one where it is done and can be deleted).
let recentAsked = 0;

async function loadRecent() {
  const list = $("#recent");
  const asked = ++recentAsked;
  try {
    const page = await api("GET", "/v1/jobs?limit=10");
    if (asked !== recentAsked) return;
    list.replaceChildren(...page.jobs.map((job) => {
      const item = document.createElement("li");
      item.dataset.id = job.id;
      const link = document.createElement("a");
      link.href = "#job=" + job.id;
      const thumb = job.shots.find((shot) => shot.links.keyframe);
      const img = document.createElement("img");
      img.alt = "";
      img.loading = "lazy";
      if (thumb) img.src = withToken(thumb.links.keyframe); else img.hidden = true;
      const title = document.createElement("span");
      title.className = "recent-title";
      title.textContent = job.title || job.id;
      const facts = document.createElement("span");
      facts.className = "recent-facts";
      const length = job.duration_s ? `, ${formatSeconds(job.duration_s)}` : "";
      facts.textContent = `${job.state}${length}`;
      link.append(img, title, facts);
      link.addEventListener("click", (event) => { event.preventDefault(); openJob(job.id, job); });
      item.append(link);
      if (FINISHED.has(job.state)) {
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary delete";
        remove.textContent = "Delete";
        remove.title = "Delete this film with all its files";
        remove.addEventListener("click", () => deleteJob(job));
        item.append(remove);
      }
      return item;
    }));
  } catch (failure) {
    if (asked === recentAsked) list.replaceChildren();
  }
}

// ------------------------------------------------------------------ start

function start() {
  const key = $("#api-key");
  key.value = localStorage.getItem(KEY_STORAGE) || "";
  key.addEventListener("change", () => { localStorage.setItem(KEY_STORAGE, key.value.trim()); loadRecent(); });
  $("#job-form").addEventListener("submit", submit);
  $("#story-file").addEventListener("change", readStoryFile);
  $("#cancel").addEventListener("click", cancel);
  $("#resume").addEventListener("click", resume);
  $("#final-cut").addEventListener("click", finalCut);
  $("#board-save").addEventListener("click", saveBoard);
  const soft = $("#soft-subtitles");
  soft.addEventListener("change", () => { localStorage.setItem(SOFT_STORAGE, soft.checked ? "on" : "off");
                                          showSoftSubtitles(); });
  for (const id of ["#subtitle-mode", "#subtitle-size", "#subtitle-position"]) {
    $(id).addEventListener("change", () => { subtitlesTouched = true; });
  }
  $("#board-undo").addEventListener("click", undoBoard);
  const match = location.hash.match(/job=([A-Za-z0-9]+)/);
  if (match) openJob(match[1]);
  loadRecent();
}

start();
