#!/usr/bin/env python3
"""cdp.py PAGE.html SHOTS_DIR [JS_EXPR] - open PAGE in headless Chromium through
the DevTools protocol (--remote-debugging-pipe: JSON messages ending in NUL
on fds 3 and 4, so no websocket library is needed) and print one JSON
object: every dialog the page opened (alert/confirm/prompt), every console
message, uncaught exception and log entry (CSP violations are log entries),
the page's Content-Security-Policy as the DOM has it, the seconds from
navigation to the load event, the result of
JS_EXPR evaluated in the page after load (JSON text), and the screenshot
files written, one per <section>, into SHOTS_DIR.

The browser is the judge of what runs: the checks are made on what it did,
not on the HTML's text."""
import base64, json, os, select, subprocess, sys, tempfile, time

CHROMIUM = os.environ.get("CHROMIUM", "chromium")


class Browser:
    def __init__(self):
        self.prof = tempfile.mkdtemp(prefix="irsnap-cdp-")
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()

        def fds():   # through fresh fds: a pipe may sit on 3 or 4 already
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
        self.p = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--user-data-dir=" + self.prof, "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("CDP_LOG", "/dev/null"), "w"))
        os.close(to_r)
        os.close(from_w)
        self.buf = b""
        self.id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.id += 1
        m = {"id": self.id, "method": method, "params": params or {}}
        if session:
            m["sessionId"] = session
        os.write(self.to_w, json.dumps(m).encode() + b"\0")
        return self.wait(lambda x: x.get("id") == self.id)

    def wait(self, pred, timeout=60):
        end = time.time() + timeout
        while True:
            while b"\0" in self.buf:
                raw, self.buf = self.buf.split(b"\0", 1)
                m = json.loads(raw)
                if pred(m):
                    if "error" in m:
                        raise RuntimeError(m["error"])
                    return m
                if "method" in m:
                    self.events.append(m)
                if m.get("method") == "Page.javascriptDialogOpening":   # answer, do not block
                    self.id += 1
                    os.write(self.to_w, json.dumps({"id": self.id, "sessionId": m.get("sessionId"),
                             "method": "Page.handleJavaScriptDialog",
                             "params": {"accept": True}}).encode() + b"\0")
            left = end - time.time()
            if left <= 0:
                raise TimeoutError("no answer from the browser")
            r, _, _ = select.select([self.from_r], [], [], left)
            if r:
                chunk = os.read(self.from_r, 1 << 20)
                if not chunk:
                    raise EOFError("the browser went away")
                self.buf += chunk

    def close(self):
        try:
            self.send("Browser.close")
        except Exception:
            pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
        subprocess.run(["rm", "-rf", self.prof])


def main():
    page, shots = os.path.abspath(sys.argv[1]), sys.argv[2]
    expr = sys.argv[3] if len(sys.argv) > 3 else "null"
    os.makedirs(shots, exist_ok=True)
    b = Browser()
    try:
        tid = b.send("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        s = b.send("Target.attachToTarget", {"targetId": tid, "flatten": True})["result"]["sessionId"]
        for m in ("Page.enable", "Runtime.enable", "Log.enable"):
            b.send(m, session=s)
        b.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 900,
               "deviceScaleFactor": 1, "mobile": False}, session=s)
        t0 = time.time()
        b.send("Page.navigate", {"url": "file://" + page}, session=s)
        b.wait(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == s,
               timeout=300)
        load = time.time() - t0
        time.sleep(0.5)   # onload handlers, timers a planted script might set
        dialogs = []

        def ev(code):
            r = b.send("Runtime.evaluate", {"expression": code, "returnByValue": True},
                       session=s)["result"]
            if "exceptionDetails" in r:
                raise RuntimeError(r["exceptionDetails"])
            return r["result"].get("value")
        result = json.loads(ev("JSON.stringify((function(){return %s;})())" % expr))
        csp = ev("(document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')"
                 "||{}).content||null")
        files = []
        ids = [] if os.environ.get("CDP_NO_SHOTS") else \
            ev("Array.from(document.querySelectorAll('section')).map(e=>e.id)")
        for i in ids[:40]:
            r = ev("(function(){var e=document.getElementById(%s),d=e.querySelectorAll('details');"
                   "if(d.length<200)d.forEach(x=>x.open=true);var r=e.getBoundingClientRect();"
                   "return [r.left+scrollX,r.top+scrollY,r.width,r.height];})()" % json.dumps(i))
            clip = {"x": r[0], "y": r[1], "width": max(r[2], 1), "height": min(max(r[3], 1), 4000),
                    "scale": 1}
            img = b.send("Page.captureScreenshot", {"format": "png", "clip": clip,
                         "captureBeyondViewport": True}, session=s)["result"]["data"]
            f = os.path.join(shots, i + ".png")
            open(f, "wb").write(base64.b64decode(img))
            files.append(f)
        for m in b.events:
            if m.get("method") == "Page.javascriptDialogOpening":
                dialogs.append(m["params"].get("message"))
        out = {
            "dialogs": dialogs,
            "console": [m["params"] for m in b.events if m.get("method") == "Runtime.consoleAPICalled"],
            "exceptions": [m["params"] for m in b.events if m.get("method") == "Runtime.exceptionThrown"],
            "log": [m["params"]["entry"] for m in b.events if m.get("method") == "Log.entryAdded"],
            "csp": csp,
            "load_seconds": round(load, 3),
            "result": result,
            "shots": files,
        }
        print(json.dumps(out))
    finally:
        b.close()


if __name__ == "__main__":
    main()
