#!/usr/bin/env python3
"""pty-session.py: run a command on a pseudo-terminal (50x200) and drive it with a script.

usage: pty-session.py [-s SCRIPT.json] [-t DEFAULT_TIMEOUT] -- CMD [ARG...]

The script (from -s FILE or stdin) is a JSON list of steps, or one step a line:
  {"send": "info\\r"}            write to the terminal, as typed
  {"ctrl": "c"}                  Ctrl-C (also "d", "u", ...)
  {"expect": "RE", "timeout": 10}
                                 wait until the output since the last match
                                 (escape sequences stripped, CR dropped) matches
                                 the Python regex RE; then the next expect
                                 starts after that match
  {"sleep": 0.5}                 wait, still reading the output
  {"exec": "shell command"}      run it (SESSION_PID is the command's pid); it
                                 must exit 0
  {"signal": "TERM"}             send SIGTERM (or HUP, ...) to the command
  {"exit": 0, "timeout": 10}     wait for the command to exit with status 0
A transcript goes to stdout: the output, and each step on a line of its own
starting with "##". Exit status 0 if every step passed, else 1 (2: usage).
"""
import codecs, json, os, pty, re, select, signal, subprocess, sys, termios, time

# CSI and OSC sequences, charset and keypad switches, other ESC X, bell, BS, CR.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
                     r"|\x1b[()][0-9A-Za-z]|\x1b[=>78@-Z\\^_]|[\x07\x08\r]")
PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[()])?$")


class Failed(Exception):
    pass


class Session:
    def __init__(self, argv):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # Python ignores them
                    signal.signal(sig, signal.SIG_DFL)
                os.execvp(argv[0], argv)
            finally:
                os._exit(127)
        termios.tcsetwinsize(self.fd, (50, 200))
        self.raw = ""       # not yet cleaned: an escape sequence cut in two
        self.text = ""      # clean output not yet consumed by an expect
        self.status = None  # the wait status once it exited
        self.eof = False
        self.dec = codecs.getincrementaldecoder("utf-8")("replace")

    def pump(self, until):
        """Read output until the monotonic time `until` (or EOF)."""
        while not self.eof:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                return
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the other side is closed
                data = b""
            if not data:
                self.eof = True
                return
            self.raw += self.dec.decode(data)
            m = PARTIAL.search(self.raw)
            cut = m.start() if m else len(self.raw)
            clean = ESCAPES.sub("", self.raw[:cut])
            self.raw = self.raw[cut:]
            self.text += clean
            sys.stdout.write(clean)
            sys.stdout.flush()

    def expect(self, pattern, timeout):
        regex = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            m = regex.search(self.text)
            if m:
                self.text = self.text[m.end():]
                return
            if self.eof or time.monotonic() >= end:
                why = "the output ended" if self.eof else f"{timeout} s passed"
                raise Failed(f"expect /{pattern}/: {why}; output since the last match "
                             f"ends with:\n{self.text[-800:]!r}")
            self.pump(min(end, time.monotonic() + 0.1))

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while self.status is None:
            self.pump(min(end, time.monotonic() + 0.05))
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = status
            elif time.monotonic() >= end:
                raise Failed(f"still running {timeout} s later")
        self.pump(time.monotonic() + 0.2)  # what it wrote last
        return self.status

    def finish(self):
        """Whatever happened, do not leave the command running."""
        if self.status is None:
            for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 3)):
                os.kill(self.pid, sig)
                try:
                    self.wait(grace)
                    break
                except Failed:
                    pass
        os.close(self.fd)


def run(s, step, default_timeout):
    timeout = float(step.get("timeout", default_timeout))
    if "send" in step:
        os.write(s.fd, step["send"].encode())
    elif "ctrl" in step:
        os.write(s.fd, bytes([ord(step["ctrl"].lower()) & 0x1f]))
    elif "expect" in step:
        s.expect(step["expect"], timeout)
    elif "sleep" in step:
        s.pump(time.monotonic() + float(step["sleep"]))
    elif "exec" in step:
        s.pump(time.monotonic() + 0.05)
        r = subprocess.run(step["exec"], shell=True, capture_output=True, text=True,
                           timeout=timeout, env=dict(os.environ, SESSION_PID=str(s.pid)))
        sys.stdout.write("".join(f"## | {l}\n" for l in (r.stdout + r.stderr).splitlines()))
        if r.returncode:
            raise Failed(f"exec exited {r.returncode}")
    elif "signal" in step:
        os.kill(s.pid, getattr(signal, "SIG" + step["signal"].upper()))
    elif "exit" in step:
        status = s.wait(timeout)
        if os.WIFSIGNALED(status):
            raise Failed(f"killed by signal {os.WTERMSIG(status)}, "
                         f"want exit status {step['exit']}")
        if os.WEXITSTATUS(status) != step["exit"]:
            raise Failed(f"exit status {os.WEXITSTATUS(status)}, want {step['exit']}")
    else:
        raise Failed("unknown step")


def main(args):
    opts = {"-s": None, "-t": "10"}
    while len(args) > 1 and args[0] in opts:
        opts[args[0]] = args[1]
        del args[:2]
    script, timeout = opts["-s"], float(opts["-t"])
    if len(args) < 2 or args[0] != "--":
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    text = (open(script) if script else sys.stdin).read()
    steps = (json.loads(text) if text.lstrip().startswith("[")
             else [json.loads(line) for line in text.splitlines() if line.strip()])
    os.environ.setdefault("TERM", "xterm")
    s = Session(args[1:])
    try:
        for step in steps:
            sys.stdout.write(f"\n## {json.dumps(step)}\n")
            run(s, step, timeout)
        if s.status is None:
            raise Failed("the script ended without an exit step")
        print("\n## passed")
        return 0
    except (Failed, subprocess.TimeoutExpired) as e:
        print(f"\n## FAILED at {json.dumps(step)}: {e}")
        return 1
    finally:
        s.finish()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
