// Resumable uploads (tus 1.0.0) on the task page. A file larger than one piece goes to the server as soon as it is
// chosen, in pieces of 1 MiB, its progress written in Vietnamese; after a network error the page waits a little
// longer each time, asks the server how many bytes it holds and goes on from there. The upload's address is kept
// in the browser, so choosing the same file again after a reload goes on where it stopped. When a file is whole the
// evidence list is read again. Smaller files, and every file without JavaScript, go with the work form as before
// (a batch all or nothing). A save answered while a file is on its way must not end the upload: the card swapped
// in by htmx gets the progress line drawn again, and a save that points the page to itself is read in place
// (htmx keeps the file input, hx-preserve) instead of leaving the page, which would drop the upload.
(function () {
  "use strict";
  var PIECE = 1024 * 1024;
  var WAITS = [1, 2, 4, 8, 15, 30];  // seconds before each new try; the last one repeats
  var TRIES = 20;  // failures in a row before giving up (about eight minutes)
  var queue = [];
  var running = false;
  // What the progress line says, kept here rather than in the page: a swap of the card draws it again.
  var line = {p: null, text: "", done: false, error: ""};

  try { new DataTransfer(); } catch (e) { return; }  // cannot take the large files out of the form: leave it be
  if (!window.XMLHttpRequest || !window.TextEncoder || !window.Promise) return;

  document.addEventListener("change", function (e) {
    var input = e.target;
    if (!input.matches || !input.matches("input[type=file][data-tus-url]")) return;
    var small = new DataTransfer();
    var large = [];
    Array.prototype.forEach.call(input.files, function (file) {
      if (file.size > PIECE) large.push({file: file, url: input.dataset.tusUrl});
      else small.items.add(file);
    });
    if (!large.length) return;
    input.files = small.files;  // the form sends the small ones with what is typed; the large ones go now
    queue = queue.concat(large);
    if (!running) next();
  });

  document.addEventListener("htmx:beforeOnLoad", function (e) {
    var target = e.detail.xhr.getResponseHeader("HX-Redirect");
    if (!running || !target || !window.htmx) return;
    var to = new URL(target, window.location.href);
    if (to.pathname !== window.location.pathname) return;  // another page: nothing of this one to keep
    // The save is done (its message waits on the page it names): that page is read into this one, the upload
    // goes on; going there would stop the upload after the piece on its way and say nothing.
    e.preventDefault();
    htmx.ajax("GET", to.href, {target: "main", select: "main", swap: "outerHTML"});
  });

  // htmx puts its own buttons back and swaps in a new card when a save is answered: while a file is on its way
  // its buttons wait again and its progress line shows where the upload stands.
  ["htmx:afterRequest", "htmx:afterSettle"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (running) lockForm(true);
      draw();
    });
  });

  function next() {
    var item = queue.shift();
    running = Boolean(item);
    lockForm(running);
    if (!item) return;
    clearError();
    markDone(false);
    uploadFile(item).then(function () {
      show(item, 100, "Đã tải lên «" + item.file.name + "».");
      markDone(true);
      return refreshEvidence();
    }, function (err) {
      showError("Chưa tải lên được «" + item.file.name + "»: " + err.message);
    }).then(next);
  }

  async function uploadFile(item) {
    var key = storageKey(item);
    var url = remembered(key);
    var offset = null;  // unknown: ask the server
    var conflict = null;  // the last piece's 409, until the server says how many bytes it holds
    show(item, 0, "Đang chuẩn bị tải lên «" + item.file.name + "»…");
    for (;;) {
      try {
        if (!url) {
          url = await create(item);
          remember(key, url);
          offset = 0;
        } else if (offset === null) {
          offset = await heldBy(url);
          conflict = null;
          progress(item, offset);
        } else if (offset < item.file.size) {
          offset = await sendPiece(item, url, offset);
        } else {
          break;
        }
        item.failures = 0;
      } catch (err) {
        if (err.recount) {  // kept: if the upload is then gone, this 409 was the refusal of the whole file
          conflict = err;
          offset = null;
          continue;
        }
        if (err.gone && conflict) {  // refused as it became whole, and let go: say why, never send it all again
          err = conflict;
        } else if (err.gone && url) {  // the server no longer has it (expired): start again from the first byte
          forget(key);
          url = null;
          continue;
        }
        if (!err.retry) {
          forget(key);
          throw err;
        }
        await pause(item, offset);
        offset = null;
      }
    }
    forget(key);
  }

  async function create(item) {
    var xhr = await send("POST", item.url, {
      "Upload-Length": String(item.file.size),
      "Upload-Metadata": "filename " + base64(item.file.name)
    });
    if (xhr.status !== 201) throw failure(xhr);
    return new URL(xhr.getResponseHeader("Location"), window.location.href).href;
  }

  async function heldBy(url) {
    var xhr = await send("HEAD", url, {});
    if (xhr.status !== 200) throw failure(xhr);
    return parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
  }

  async function sendPiece(item, url, offset) {
    var piece = item.file.slice(offset, offset + PIECE);
    var xhr = await send("PATCH", url, {"Upload-Offset": String(offset),
                                        "Content-Type": "application/offset+octet-stream"},
                         piece, function (loaded) { progress(item, offset + loaded); });
    if (xhr.status !== 204) {
      var err = failure(xhr);
      err.recount = xhr.status === 409;  // the server holds another count (or refused the whole file): ask it
      throw err;
    }
    var held = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
    progress(item, held);
    return held;
  }

  function send(method, url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.timeout = 300000;  // a piece on a very weak line may take minutes; a dead one must end
      xhr.setRequestHeader("Tus-Resumable", "1.0.0");
      xhr.setRequestHeader("Accept", "application/json");
      var token = document.querySelector("meta[name=csrf-token]");
      if (token) xhr.setRequestHeader("X-CSRFToken", token.content);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (onProgress) xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () { resolve(xhr); };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(lineDropped()); };
      xhr.send(body || null);
    });
  }

  function lineDropped() {
    var err = new Error("mất kết nối");
    err.retry = true;
    return err;
  }

  function failure(xhr) {
    if (xhr.status === 0 || xhr.status === 408 || xhr.status === 429 || xhr.status >= 500) return lineDropped();
    var message = "máy chủ trả lời lỗi " + xhr.status + ".";
    try { message = JSON.parse(xhr.responseText).error || message; } catch (e) { /* no JSON: keep the status */ }
    var err = new Error(message);
    err.gone = xhr.status === 404;
    return err;
  }

  function pause(item, offset) {
    item.failures = (item.failures || 0) + 1;
    if (item.failures > TRIES) {
      return Promise.reject(new Error("mất kết nối quá lâu. Phần đã gửi được máy chủ giữ lại: khi có mạng, " +
                                      "chọn lại đúng tệp này để tải tiếp."));
    }
    var seconds = WAITS[Math.min(item.failures, WAITS.length) - 1];
    var sent = offset === null ? "" : " (đã tải lên " + percent(item, offset) + "%)";
    show(item, null, "Mất kết nối: thử lại sau " + seconds + " giây…" + sent);
    return new Promise(function (resolve) {
      var timer = setTimeout(done, seconds * 1000);
      window.addEventListener("online", done);  // the line is back: no need to wait out the pause
      function done() {
        clearTimeout(timer);
        window.removeEventListener("online", done);
        resolve();
      }
    });
  }

  function percent(item, offset) {
    return Math.floor(100 * offset / item.file.size);
  }

  function progress(item, offset) {
    var p = percent(item, offset);
    var more = queue.length ? " (còn " + queue.length + " tệp nữa)" : "";
    show(item, p, "Đang tải lên " + p + "%… «" + item.file.name + "»" + more);
  }

  function show(item, p, text) {
    line.text = text;
    if (p !== null) line.p = p;
    draw();
  }

  function markDone(done) {
    line.done = done;
    draw();
  }

  function showError(text) {
    line = {p: null, text: "", done: false, error: text};
    draw();
    var box = document.getElementById("resumable-error");
    if (box) box.scrollIntoView({block: "center"});
  }

  function clearError() {
    line.error = "";
    draw();
  }

  function draw() {
    // Looked up each time: the card holding them may have been swapped since the last piece.
    var status = document.getElementById("resumable-status");
    var bar = document.getElementById("resumable-progress");
    var box = document.getElementById("resumable-error");
    if (!box && line.error) box = errorBoxAtTop();
    if (status) status.textContent = line.text;
    if (bar) {
      bar.classList.toggle("d-none", line.p === null);
      bar.setAttribute("aria-valuenow", String(line.p || 0));
      bar.firstElementChild.style.width = (line.p || 0) + "%";
      bar.firstElementChild.classList.toggle("bg-success", line.done);
    }
    if (box) {
      box.textContent = line.error;
      box.classList.toggle("d-none", !line.error);
    }
  }

  function errorBoxAtTop() {
    // The card is gone (the task was handed in meanwhile): the refusal is still said, at the top of the page.
    var main = document.querySelector("main");
    if (!main) return null;
    var box = document.createElement("div");
    box.id = "resumable-error";
    box.className = "alert alert-danger text-break";
    box.setAttribute("role", "alert");
    main.prepend(box);
    return box;
  }

  function lockForm(locked) {
    // While a file is on its way the form waits: a hand-in must not leave without it. Only the buttons locked
    // here are given back; one htmx disabled for its own request is locked again once htmx gives it back.
    document.querySelectorAll("#work-form button[type=submit]").forEach(function (button) {
      if (locked && !button.disabled) {
        button.dataset.resumableLocked = "1";
        button.disabled = true;
      } else if (!locked && button.dataset.resumableLocked === "1") {
        button.disabled = false;
        delete button.dataset.resumableLocked;
      }
    });
  }

  function refreshEvidence() {
    // The evidence list (and the history) as the server now has them; what is typed in the form stays.
    return fetch(window.location.href, {headers: {Accept: "text/html"}, credentials: "same-origin"})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["#evidence-list", "ol.history"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var then = fresh.querySelector(selector);
          if (now && then) now.innerHTML = then.innerHTML;
        });
      })
      .catch(function () { window.location.reload(); });
  }

  function base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function storageKey(item) {
    var f = item.file;
    return "tus:" + item.url + ":" + f.name + ":" + f.size + ":" + f.lastModified;
  }

  // The browser may refuse storage (private windows): the upload then simply cannot outlive the page.
  function remembered(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function remember(key, url) {
    try { window.localStorage.setItem(key, url); } catch (e) { /* not kept: see above */ }
  }

  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }
})();
