#!/usr/bin/env python3
"""console.py: drive the root partition's console (COM1) over TCP, as a person at a terminal would.

    console.py [OPTIONS] CONVERSATION -- BOOT.SH-ARGS...
        Boots the machine through tests/system/boot.sh (adding --serial-tcp PORT), connects to
        COM1, logs every byte received to --log (raw), and plays CONVERSATION. After it, waits for
        the emulator to exit; the exit status is boot.sh's (0 on a normal power-off), 124 when
        the emulator outlives --exit-timeout, 1 when a directive fails.
    console.py --transform < RAW > CLEAN      what a terminal shows (below), as a filter
    console.py --self-test                    the transform's and the parser's own tests

Options: --log FILE (default console.log), --timeout SECONDS (a directive's default: 60 under
QEMU, 180 under Bochs), --exit-timeout SECONDS (default: --timeout), --char-delay SECONDS
(between the bytes of a send; default 0), --prompt TEXT ('root> ').

The conversation, one directive a line ('#' comments and blank lines are skipped):
    expect REGEX [TIMEOUT]  a complete line after the last match (expect, prompt, cmd) matches
                            REGEX (re.search); the match moves past that line. A last word
                            that is a number is the timeout: to match a number at the end,
                            write e.g. `tick 5$`
    prompt [TIMEOUT]        the current, unfinished line is exactly the prompt (after a send:
                            with bytes received since the send)
    send TEXT               TEXT and "\\r" (a terminal's Enter)
    sendraw HEX             bytes, e.g. `sendraw 1d` for Ctrl-]
    cmd TEXT [;; TIMEOUT]   prompt, send TEXT, wait for its echo (the first line ended since
                            that begins with the prompt), then for the next prompt: the lines
                            between are "the last output", `out`
    json NAME TEXT          cmd TEXT, then json.loads(out), kept as NAME
    check PYEXPR            PYEXPR (Python) is true over the kept documents (by name), `out`,
                            `lines` (its lines), `log` (every line so far, transformed),
                            `partial` (the unfinished last line, as the terminal shows it)
    sleep SECONDS
    mark NAME               prints "mark NAME SECONDS" on stdout: the wall-clock seconds since
                            the emulator was started

The transform ("what a terminal shows"): split on "\\n"; in each line drop a trailing "\\r", keep
only what follows the last "\\r", and delete ANSI CSI sequences (ESC [ params final-byte). Bytes
are handled as latin-1, so every other byte (UTF-8 too) passes through unchanged.
"""
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def transform_line(line):
    """One line (no "\\n") as a terminal leaves it."""
    if line.endswith("\r"):
        line = line[:-1]
    line = line[line.rfind("\r") + 1:]
    return CSI.sub("", line)


def transform(text):
    """Text as a terminal shows it: a list of lines; the last one is the unfinished line
    ("" when the text ends in a newline)."""
    return [transform_line(line) for line in text.split("\n")]


class Screen:
    """The transformed output, kept up to date as bytes arrive: `lines` (complete lines) and
    `partial` (the unfinished line, transformed)."""

    def __init__(self):
        self.lines = []
        self.rest = ""
        self.partial = ""

    def feed(self, data):
        text = self.rest + data.decode("latin-1")
        pieces = text.split("\n")
        self.rest = pieces.pop()
        self.lines.extend(transform_line(p) for p in pieces)
        self.partial = transform_line(self.rest)


class Failure(Exception):
    pass


class Console:
    def __init__(self, sock, log, prompt, timeout, char_delay):
        self.sock = sock
        self.log = log
        self.prompt = prompt
        self.timeout = timeout
        self.char_delay = char_delay
        self.screen = Screen()
        self.pos = 0             # the first line an expect may match
        self.received = 0        # bytes received so far
        self.sent_at = None      # self.received at the last send, until a prompt follows it
        self.eof = False
        self.out = ""
        self.docs = {}
        self.started = time.monotonic()
        self.halt_scan = 0       # the lines already looked at for the hypervisor's halt

    def pump(self, deadline):
        """Take in what arrives before the deadline (at most 0.2 s of waiting)."""
        if self.eof:
            raise Failure("the emulator closed COM1 (it exited)")
        wait = max(0.0, min(0.2, deadline - time.monotonic()))
        ready, _, _ = select.select([self.sock], [], [], wait)
        if not ready:
            return
        data = self.sock.recv(65536)
        if not data:
            self.eof = True
            return
        self.received += len(data)
        self.log.write(data)
        self.log.flush()
        self.screen.feed(data)

    def log_text(self):
        """Every complete line so far, transformed, joined by newlines (check's `log`)."""
        return "\n".join(self.screen.lines)

    def halted(self):
        """The hypervisor panicked and halted the machine (core/panic.c): nothing more will come."""
        lines = self.screen.lines
        found = any(l == "hv: system halted" for l in lines[self.halt_scan:])
        self.halt_scan = max(0, len(lines) - 1)
        return found

    def wait_for(self, cond, timeout, what):
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        while True:
            found = cond()
            if found is not None:
                return found
            if self.halted():
                raise Failure("the hypervisor halted (a panic) while waiting for %s" % what)
            if time.monotonic() >= deadline:
                raise Failure("timed out waiting for %s" % what)
            self.pump(deadline)

    def expect(self, regex, timeout=None):
        pattern = re.compile(regex)
        scanned = [self.pos]     # lines already looked at, not looked at again

        def matched():
            lines = self.screen.lines
            for i in range(scanned[0], len(lines)):
                if pattern.search(lines[i]):
                    return i
            scanned[0] = len(lines)
            return None
        i = self.wait_for(matched, timeout, "a line matching /%s/" % regex)
        self.pos = i + 1
        return self.screen.lines[i]

    def wait_prompt(self, timeout=None):
        def shown():
            s = self.screen
            if s.partial != self.prompt:
                return None
            # after a send, the prompt left on the screen from before it does not count
            if self.sent_at is not None and self.received <= self.sent_at:
                return None
            return len(s.lines)
        n = self.wait_for(shown, timeout, "the prompt %r" % self.prompt)
        self.sent_at = None
        self.pos = n
        return n

    def send_bytes(self, data):
        self.sent_at = self.received
        if self.char_delay <= 0:
            self.sock.sendall(data)
            return
        for b in data:
            self.sock.sendall(bytes([b]))
            time.sleep(self.char_delay)

    def send(self, text):
        self.send_bytes(text.encode("latin-1") + b"\r")

    def cmd(self, text, timeout=None):
        self.wait_prompt(timeout)
        start = len(self.screen.lines)
        self.send(text)

        # The echo: the first line ended since the send that begins with the prompt (a line that
        # arrives while the prompt is shown clears it first). Its text is not compared with TEXT:
        # the transform leaves cursor moves out, so an echo edited in place would not read as typed.
        def echoed():
            lines = self.screen.lines
            for i in range(start, len(lines)):
                if lines[i].startswith(self.prompt):
                    return i
            return None
        i = self.wait_for(echoed, timeout, "the echo of the command line %r" % text)
        end = self.wait_prompt(timeout)
        self.out = "\n".join(self.screen.lines[i + 1:end])
        return self.out

    def tail(self, n=30):
        s = self.screen
        return s.lines[-n:] + ([s.partial] if s.partial else [])


def parse_conversation(text):
    """[(line number, directive, argument)], or Failure naming a bad line."""
    known = ("expect", "prompt", "send", "sendraw", "cmd", "json", "check", "sleep", "mark")
    steps = []
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        word, _, arg = stripped.partition(" ")
        if word not in known:
            raise Failure("line %d: unknown directive %r (%s)" % (n, word, ", ".join(known)))
        # send keeps its text as written (but for the one space after the directive)
        if word == "send":
            arg = line.lstrip()[len("send "):] if line.lstrip().startswith("send ") else ""
        steps.append((n, word, arg))
    return steps


def split_timeout(arg):
    """'REGEX 30' -> ('REGEX', 30.0); a last word that is not a number belongs to the REGEX."""
    head, _, last = arg.rpartition(" ")
    if head and re.fullmatch(r"[0-9]+(\.[0-9]+)?", last):
        return head, float(last)
    return arg, None


def run_step(con, word, arg):
    if word == "expect":
        regex, tmo = split_timeout(arg)
        con.expect(regex, tmo)
    elif word == "prompt":
        con.wait_prompt(float(arg) if arg else None)
    elif word == "send":
        con.send(arg)
    elif word == "sendraw":
        try:
            data = bytes.fromhex(arg)
        except ValueError:
            raise Failure("sendraw wants hexadecimal bytes, not %r" % arg)
        con.send_bytes(data)
    elif word == "cmd":
        text, _, tmo = arg.partition(" ;; ")
        con.cmd(text, float(tmo) if tmo else None)
    elif word == "json":
        name, _, text = arg.partition(" ")
        if not name.isidentifier() or not text:
            raise Failure("json wants NAME TEXT, NAME an identifier")
        out = con.cmd(text)
        # The command's own output comes first and in one piece (the root sends a command's
        # lines together); a child's or the hypervisor's line may follow it before the prompt.
        # The document is the shortest run of leading lines that parses, and it must be all
        # of the command's output: a line after it must not start with '{', '[' or '"'.
        lines, doc, err = out.split("\n"), None, "no output"
        for n in range(1, len(lines) + 1):
            try:
                doc = json.loads("\n".join(lines[:n]))
                break
            except ValueError as e:
                err = str(e)
        if doc is None:
            raise Failure("'%s' did not print valid JSON (%s); it printed:\n%s" % (text, err, out))
        # (a child's line starts with "[NAME] ", not with JSON)
        rest = [l for l in lines[n:] if re.match(r'\s*([{"\],}]|\[\s*([\[{"\]\d]|-\d|$))', l)]
        if rest:
            raise Failure("'%s' printed more than one JSON document (or a cut one): %r after it"
                          % (text, rest[0]))
        con.docs[name] = doc
    elif word == "check":
        names = dict(con.docs, out=con.out, lines=con.out.split("\n") if con.out else [],
                     log=con.log_text(), partial=con.screen.partial)
        try:
            ok = eval(arg, {"__builtins__": __builtins__, "re": re, "json": json}, names)
        except Exception as e:
            raise Failure("check raised %s: %s\n%s" % (type(e).__name__, e, show_names(names)))
        if not ok:
            raise Failure("check is false: %s\n%s" % (arg, show_names(names)))
    elif word == "mark":
        print("mark %s %.3f" % (arg, time.monotonic() - con.started), flush=True)
    elif word == "sleep":
        deadline = time.monotonic() + float(arg)
        while time.monotonic() < deadline:
            con.pump(deadline)


def show_names(names):
    out = []
    for k, v in names.items():
        if k == "lines":
            continue
        text = json.dumps(v) if k != "out" else repr(v)
        if len(text) > 2000:
            text = text[:2000] + "..."
        out.append("  %s = %s" % (k, text))
    return "\n".join(out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connect(port, proc, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            if proc.poll() is not None:
                raise Failure("the emulator ended (status %d) before COM1 was connected"
                              % proc.returncode)
            if time.monotonic() >= deadline:
                raise Failure("could not connect to COM1 on port %d in %d s" % (port, timeout))
            time.sleep(0.1)


def session_pids(sid):
    """The processes of session SID: boot.sh and what it started (timeout(1) puts the emulator
    in a process group of its own, so the group is not enough)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[3]) == sid:       # state ppid pgrp session
            pids.append(int(d))
    return pids


def stop(proc):
    """End boot.sh and everything it started (the session it leads)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in session_pids(proc.pid):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(5)
            if not session_pids(proc.pid):
                return
        except subprocess.TimeoutExpired:
            pass


def drain_until_exit(con, proc, timeout):
    """Log what is still coming until the emulator exits: its status, or None at the timeout."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        if con.eof:
            time.sleep(0.1)
            continue
        try:
            con.pump(deadline)
        except OSError:
            con.eof = True
    return proc.poll()


def play(args):
    opts = {"--log": "console.log", "--timeout": None, "--exit-timeout": None,
            "--char-delay": None, "--prompt": "root> "}
    if "--" not in args:
        usage()
    mine, boot_args = args[:args.index("--")], args[args.index("--") + 1:]
    conv = None
    i = 0
    while i < len(mine):
        if mine[i] in opts and i + 1 < len(mine):
            opts[mine[i]] = mine[i + 1]
            i += 2
        elif conv is None and not mine[i].startswith("--"):
            conv = mine[i]
            i += 1
        else:
            usage()
    if conv is None:
        usage()
    bochs = "--emu" in boot_args and boot_args[boot_args.index("--emu") + 1:][:1] == ["bochs"]
    timeout = float(opts["--timeout"] or (180 if bochs else 60))
    exit_timeout = float(opts["--exit-timeout"] or timeout)
    # No pacing is needed: QEMU's UART takes from the socket only what its FIFO has room for,
    # and Bochs's one byte at a time, when its receive buffer is empty (TCP holds the rest).
    char_delay = float(opts["--char-delay"] or 0)
    try:
        steps = parse_conversation(open(conv).read())
    except (OSError, Failure) as e:
        print("console: %s: %s" % (conv, e), file=sys.stderr)
        return 2

    port = free_port()
    cmd = [os.path.join(HERE, "boot.sh")] + boot_args + ["--serial-tcp", str(port)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        return converse(proc, port, steps, conv, opts, timeout, exit_timeout, char_delay, started)
    except KeyboardInterrupt:
        print("console: interrupted")
        return 130
    finally:
        stop(proc)      # nothing left behind, however this ends (a no-op once it has exited)


def converse(proc, port, steps, conv, opts, timeout, exit_timeout, char_delay, started):
    log = open(opts["--log"], "wb")
    con = None
    step = None
    try:
        sock = connect(port, proc, 60)
        con = Console(sock, log, opts["--prompt"], timeout, char_delay)
        con.started = started
        for step in steps:
            run_step(con, step[1], step[2])
    except (Failure, OSError) as e:
        if step:
            print("console: %s:%d: %s %s" % (conv, step[0], step[1], step[2]))
        print("console: %s" % e)
        if con:
            print("console: the last lines shown (transformed):")
            for line in con.tail():
                print("  | " + line)
        log.close()
        return 1
    rc = drain_until_exit(con, proc, exit_timeout)
    log.close()
    if rc is None:
        print("console: the emulator did not exit within %d s after the conversation"
              % exit_timeout)
        return 124
    return rc


def usage():
    print(__doc__, file=sys.stderr)
    sys.exit(2)


def self_test():
    cases = [
        # (raw, transformed lines; the last is the unfinished line)
        ("a\r\nb\r\n", ["a", "b", ""]),
        ("hv: ready\n", ["hv: ready", ""]),
        ("root> \r\x1b[Kchild: hi\r\nroot> pa", ["child: hi", "root> pa"]),
        ("root> part\x1b[2D\r\x1b[Kroot> part list\r\n", ["root> part list", ""]),
        ("x\x1b[1;31mred\x1b[0m\r\n", ["xred", ""]),
        ("a\rb\rc\r\n", ["c", ""]),
        ("\r\n\r\n", ["", "", ""]),
        ("caf\xc3\xa9\r\n", ["caf\xc3\xa9", ""]),
        ("root> ", ["root> "]),
    ]
    failed = 0
    for raw, want in cases:
        got = transform(raw)
        if got != want:
            failed += 1
            print("FAIL transform(%r) = %r, want %r" % (raw, got, want))
    # The screen fed byte by byte equals the transform of the whole.
    for raw, want in cases:
        s = Screen()
        for b in raw.encode("latin-1"):
            s.feed(bytes([b]))
        if s.lines + [s.partial] != want:
            failed += 1
            print("FAIL Screen fed %r byte by byte: %r, want %r" % (raw, s.lines + [s.partial], want))
    conv = "# c\n\nprompt 5\nsend  two  spaces\ncmd help ;; 9\nexpect ^a b$ 30\nexpect x y\n"
    want = [(3, "prompt", "5"), (4, "send", " two  spaces"), (5, "cmd", "help ;; 9"),
            (6, "expect", "^a b$ 30"), (7, "expect", "x y")]
    if parse_conversation(conv) != want:
        failed += 1
        print("FAIL parse_conversation: %r" % parse_conversation(conv))
    if split_timeout("^a b$ 30") != ("^a b$", 30.0) or split_timeout("x y") != ("x y", None) \
            or split_timeout("is nan") != ("is nan", None) or split_timeout("5") != ("5", None):
        failed += 1
        print("FAIL split_timeout")
    try:
        parse_conversation("bogus x\n")
        failed += 1
        print("FAIL an unknown directive was accepted")
    except Failure:
        pass
    failed += self_test_console()
    print("console self-test: %s" % ("FAILED" if failed else "passed"))
    return 1 if failed else 0


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def fake_root(sock):
    """A stand-in for the root's console, as issue 11 describes it, for the self-test: echo,
    "\r\n" at Enter, a child's line arriving mid-typing (cleared with "\r\033[K", the prompt and
    the partial input redrawn, the cursor moved back), JSON over several lines, `shutdown`."""
    answers = {
        "help": "commands: help, version, part list [-l], shutdown",
        "part list -l": '[\r\n  {"name": "root", "id": 1, "mem": 188},\r\n  {"name": "t", "id": 3}\r\n]',
        "bad": "unknown command 'bad'",
    }
    sock.sendall(b"root: up\r\nroot: console ready, TSC 1234\r\nroot> ")
    line = b""
    typed = 0
    while True:
        b = sock.recv(1)
        if not b:
            return
        if b != b"\r":
            line += b
            typed += 1
            sock.sendall(b)
            if typed == 3:
                sock.sendall(b"\r\x1b[K[t] tick 1\r\nroot> " + line + b"\x1b[K")
            continue
        text = line.decode()
        line = b""
        sock.sendall(b"\r\n")
        if text == "shutdown":
            sock.close()
            return
        if text:
            sock.sendall(answers.get(text, "?").encode() + b"\r\n")
        sock.sendall(b"root> ")


def self_test_console():
    import threading
    ours, theirs = socket.socketpair()
    threading.Thread(target=fake_root, args=(theirs,), daemon=True).start()
    log = open(os.devnull, "wb")
    con = Console(ours, log, "root> ", 5, 0)
    conv = """
expect ^root: console ready, TSC [0-9]+$
prompt
cmd help
check out == "commands: help, version, part list [-l], shutdown"
json parts part list -l
check [p["name"] for p in parts] == ["root", "t"] and parts[0]["mem"] == 188
check "tick" not in out
cmd bad
check out == "unknown command 'bad'"
send
prompt
send shutdown
"""
    failed = 0
    try:
        for n, word, arg in parse_conversation(conv):
            run_step(con, word, arg)
        con.wait_for(lambda: True if con.eof else None, 5, "the end")
    except Failure as e:
        failed = 1
        print("FAIL the conversation with the fake root, at %s %s: %s" % (word, arg, e))
        print("\n".join("  | " + line for line in con.tail()))
    # the child's line that arrived mid-typing is a line of its own
    if not failed and "[t] tick 1" not in con.screen.lines:
        failed = 1
        print("FAIL the child's line is not shown whole: %r" % con.screen.lines)
    # after a send, the prompt already on the screen is not the prompt that follows the send
    quiet, other = socket.socketpair()
    stale = Console(quiet, log, "root> ", 5, 0)
    stale.pump(time.monotonic())
    stale.screen.feed(b"root> ")
    stale.wait_prompt(0.1)
    stale.send("x")
    try:
        stale.wait_prompt(0.3)
        failed = 1
        print("FAIL a prompt from before the send was taken for the next one")
    except Failure:
        pass
    other.close()
    quiet.close()
    # a hypervisor that halted (a panic) ends the wait at once, not at its timeout
    dead, other = socket.socketpair()
    panicked = Console(dead, log, "root> ", 5, 0)
    other.sendall(b"hv: PANIC on cpu0 at x.c:1: test\r\nhv: system halted\r\n")
    t0 = time.monotonic()
    try:
        panicked.expect("^never$", 10)
        failed = 1
        print("FAIL an expect after the hypervisor halted matched")
    except Failure as e:
        if "halted" not in str(e) or time.monotonic() - t0 > 5:
            failed = 1
            print("FAIL after the hypervisor halted: %s, after %.1f s" % (e, time.monotonic() - t0))
    other.close()
    dead.close()
    # a failing check fails
    try:
        run_step(con, "check", "out == 'something else'")
        failed = 1
        print("FAIL a false check passed")
    except Failure:
        pass
    return failed


def bridge(port):
    """`make run EMU=bochs`: this terminal (or a pipe) on the emulator's COM1 at 127.0.0.1:PORT,
    raw both ways, until the emulator closes it. A terminal is put in raw mode meanwhile, so that
    every key (Ctrl-C, Ctrl-], the arrows) reaches the root console, as QEMU's -serial stdio does."""
    deadline = time.monotonic() + 120
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            if time.monotonic() > deadline:
                print("console.py: nothing listens on 127.0.0.1:%d" % port, file=sys.stderr)
                return 1
            time.sleep(0.1)
    fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    saved = None
    if os.isatty(fd_in):
        import termios
        import tty
        saved = termios.tcgetattr(fd_in)
        tty.setraw(fd_in)
    watch = [sock, fd_in]
    try:
        while True:
            ready, _, _ = select.select(watch, [], [])
            if sock in ready:
                data = sock.recv(65536)
                if not data:
                    return 0
                os.write(fd_out, data)
            if fd_in in ready:
                data = os.read(fd_in, 4096)
                if data:
                    sock.sendall(data)
                else:
                    watch = [sock]          # end of a pipe: keep showing the output
    finally:
        if saved is not None:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
        sock.close()


def main():
    signal.signal(signal.SIGTERM, on_sigterm)
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--bridge":
        return bridge(int(args[1]))
    if args == ["--transform"]:
        raw = sys.stdin.buffer.read().decode("latin-1")
        sys.stdout.buffer.write("\n".join(transform(raw)).encode("latin-1"))
        return 0
    if args == ["--self-test"]:
        return self_test()
    return play(args)


if __name__ == "__main__":
    sys.exit(main())
