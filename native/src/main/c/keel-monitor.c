/*
 * keel-monitor: the per-container monitor of Keel. It speaks the subset of conmon's command line and protocols that
 * dev.keel.os.monitor uses (shared/reference/CONMON_RECIPE.md §2-§10) and writes Docker's json-file log.
 *
 * One process per container (or exec session), single-threaded around poll(2): it runs the OCI runtime's create (or,
 * with --run, its run --detach: the container starts at once, one runtime execution instead of create and start) or
 * exec, holds the container's stdio, copies output to the log and to attach clients, forwards attach input to stdin,
 * serves the ctl FIFO, reaps the main process (it is a child subreaper) and writes the exit file.
 *
 * Why not conmon: conmon 2.1.6 costs ~4 MB RSS per container (glib, libsystemd) and writes k8s-file logs only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* One pipe read, as conmon: an attach packet is a stream byte and at most this much output. */
#define OUTPUT_CHUNK 8192
/* The largest input packet clients send (AttachSocket.MAX_INPUT_PACKET_BYTES). */
#define INPUT_PACKET 32768
#define MAX_CLIENTS 64
#define MAX_RUNTIME_ARGS 32
/* The attach packets' stream bytes. */
#define STREAM_STDOUT 2
#define STREAM_STDERR 3

static struct {
    const char *cid, *cuuid, *runtime, *bundle, *pidfile, *log_path, *exit_dir, *socket_dir, *persist_dir;
    const char *exec_spec;
    const char *runtime_args[MAX_RUNTIME_ARGS];
    int runtime_argc;
    bool tty, stdin_open, leave_stdin_open, exec, exec_attach, run;
} opt;

static int log_fd = -1;
static int stdin_fd = -1;
/* Input read from a client and not yet taken by the container's stdin; no client is read while some is left, so a
 * container that does not read its input holds the clients back, not the monitor (which must go on copying output). */
static unsigned char stdin_pending[INPUT_PACKET];
static size_t stdin_pending_len, stdin_pending_off;
static bool stdin_close_requested;
/* The pty master with a terminal: the container's output and, with --stdin, its input too. */
static int console_fd = -1;
static pid_t main_pid = -1;
static int main_status = -1;

struct client {
    int fd;
    bool input_ended;
};
static struct client clients[MAX_CLIENTS];
static int client_count;

/* A trailing incomplete UTF-8 sequence of a partial line, kept for the stream's next read. */
struct carry {
    unsigned char bytes[4];
    size_t len;
};
static struct carry carries[2];

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("keel-monitor: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void warn_errno(const char *what) {
    fprintf(stderr, "keel-monitor: %s: %s\n", what, strerror(errno));
}

static bool write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* A pipe named in the environment. One given as stdin or stdout (a JVM can pass no other fds) moves above 2, and
 * /dev/null takes its place. */
static int env_fd(const char *name) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        return -1;
    }
    int fd = atoi(v);
    if (fd <= STDOUT_FILENO) {
        int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        int null = open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY);
        if (moved < 0 || null < 0 || dup2(null, fd) < 0) {
            fail("moving %s: %s", name, strerror(errno));
        }
        close(null);
        return moved;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

/* Blocks for one go-ahead byte; EOF counts as one too, as for conmon. */
static void await_start(int start_fd) {
    char b;
    while (read(start_fd, &b, 1) < 0 && errno == EINTR) {
    }
}

/* --- growable byte buffer, for JSON ------------------------------------------------------------------------------ */

struct buf {
    char *data;
    size_t len, cap;
};

static void buf_put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) {
            cap *= 2;
        }
        char *data = realloc(b->data, cap);
        if (data == NULL) {
            fail("out of memory");
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void buf_str(struct buf *b, const char *s) {
    buf_put(b, s, strlen(s));
}

/*
 * The length of the valid UTF-8 sequence at p (1-4), 0 when invalid, or -1 when p ends inside a sequence that could
 * still be valid. Go's rules: no overlong forms, no surrogates, nothing above U+10FFFF.
 */
static int utf8_length(const unsigned char *p, size_t avail) {
    unsigned char c = p[0];
    int len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) {
            lo = 0xA0;
        } else if (c == 0xED) {
            hi = 0x9F;
        }
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) {
            lo = 0x90;
        } else if (c == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= avail) {
            return -1;
        }
        unsigned char lim_lo = i == 1 ? lo : 0x80, lim_hi = i == 1 ? hi : 0xBF;
        if (p[i] < lim_lo || p[i] > lim_hi) {
            return 0;
        }
    }
    return len;
}

/* Appends s as the inside of a JSON string, escaped as Go's encoding/json with HTML escaping (Docker's json-file). */
static void json_escape(struct buf *b, const unsigned char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            int len = utf8_length(s + i, n - i);
            if (len <= 0) {
                buf_str(b, "\\ufffd");
                i++;
                continue;
            }
            if (len == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
                buf_str(b, s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
            } else {
                buf_put(b, s + i, (size_t)len);
            }
            i += (size_t)len;
            continue;
        }
        switch (c) {
            case '"': buf_str(b, "\\\""); break;
            case '\\': buf_str(b, "\\\\"); break;
            case '\n': buf_str(b, "\\n"); break;
            case '\r': buf_str(b, "\\r"); break;
            case '\t': buf_str(b, "\\t"); break;
            default:
                if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
                    buf_put(b, esc, sizeof esc);
                } else {
                    buf_put(b, &c, 1);
                }
        }
        i++;
    }
}

/* RFC 3339 with nanoseconds in UTC, trailing zeros of the fraction dropped: Go's time.RFC3339Nano, as Docker writes. */
static void format_time(char *out, size_t size) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    if (now.tv_nsec != 0) {
        char frac[11];
        snprintf(frac, sizeof frac, ".%09ld", now.tv_nsec);
        size_t end = strlen(frac);
        while (frac[end - 1] == '0') {
            frac[--end] = '\0';
        }
        n += (size_t)snprintf(out + n, size - n, "%s", frac);
    }
    snprintf(out + n, size - n, "Z");
}

/* --- the log ----------------------------------------------------------------------------------------------------- */

static void open_log(void) {
    log_fd = open(opt.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) {
        warn_errno(opt.log_path);
    }
}

/* Appends one json-file record: {"log":"<bytes>","stream":"stdout|stderr","time":"<time>"}. */
static void append_record(struct buf *b, int stream, const unsigned char *bytes, size_t len, const char *time) {
    buf_str(b, "{\"log\":\"");
    json_escape(b, bytes, len);
    buf_str(b, stream == STREAM_STDOUT ? "\",\"stream\":\"stdout\",\"time\":\""
                                       : "\",\"stream\":\"stderr\",\"time\":\"");
    buf_str(b, time);
    buf_str(b, "\"}\n");
}

/*
 * One record per line, each with its \n; a piece without one (the read ended mid-line) is a partial record, which
 * readers join with what follows. All records of one read share one time and go out in one write(2).
 */
static void log_output(int stream, const unsigned char *data, size_t len) {
    if (log_fd < 0) {
        return;
    }
    struct carry *carry = &carries[stream == STREAM_STDOUT ? 0 : 1];
    unsigned char joined[OUTPUT_CHUNK + sizeof carry->bytes];
    if (carry->len > 0) {
        memcpy(joined, carry->bytes, carry->len);
        memcpy(joined + carry->len, data, len);
        data = joined;
        len += carry->len;
        carry->len = 0;
    }
    char time[48];
    format_time(time, sizeof time);
    struct buf b = {0};
    size_t start = 0;
    while (start < len) {
        const unsigned char *nl = memchr(data + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - data) + 1 : len;
        if (nl == NULL) {
            /* A character cut by the read goes with the rest of it next time, not as two U+FFFD. */
            for (size_t back = 1; back <= 3 && back <= end - start; back++) {
                if (utf8_length(data + end - back, back) == -1) {
                    memcpy(carry->bytes, data + end - back, back);
                    carry->len = back;
                    end -= back;
                    break;
                }
            }
            if (end == start) {
                break;
            }
        }
        append_record(&b, stream, data + start, end - start, time);
        start = nl ? end : len;
    }
    if (b.len > 0 && !write_all(log_fd, b.data, b.len)) {
        warn_errno("writing the log");
    }
    free(b.data);
}

/* Writes out what the carries hold: the output ends there, or the log file changes. */
static void flush_carries(void) {
    for (int s = 0; s < 2; s++) {
        if (carries[s].len > 0) {
            struct buf b = {0};
            char time[48];
            format_time(time, sizeof time);
            append_record(&b, s == 0 ? STREAM_STDOUT : STREAM_STDERR, carries[s].bytes, carries[s].len, time);
            carries[s].len = 0;
            if (log_fd >= 0) {
                write_all(log_fd, b.data, b.len);
            }
            free(b.data);
        }
    }
}

static void reopen_log(void) {
    flush_carries();
    if (log_fd >= 0) {
        fsync(log_fd);
        close(log_fd);
    }
    open_log();
}

/* --- attach clients ---------------------------------------------------------------------------------------------- */

static void close_stdin(void);

/* Takes every client waiting in the listen queue (the socket does not block). */
static void accept_clients(int attach_fd) {
    int fd;
    while (client_count < MAX_CLIENTS && (fd = accept4(attach_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
        clients[client_count++] = (struct client){.fd = fd, .input_ended = false};
    }
}

/* A client that goes away has ended its input too: the container's stdin closes unless --leave-stdin-open. */
static void drop_client(int i) {
    if (!clients[i].input_ended && !opt.leave_stdin_open) {
        close_stdin();
    }
    close(clients[i].fd);
    clients[i] = clients[--client_count];
}

/* Sends one packet to every client; like conmon, a client that does not read holds the monitor back. */
static void broadcast(int stream, const unsigned char *data, size_t len) {
    unsigned char packet[OUTPUT_CHUNK + 1];
    packet[0] = (unsigned char)stream;
    memcpy(packet + 1, data, len);
    for (int i = 0; i < client_count;) {
        ssize_t n;
        do {
            n = send(clients[i].fd, packet, len + 1, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            drop_client(i);
        } else {
            i++;
        }
    }
}

/* Closes the container's stdin once the input already read is written. */
static void close_stdin(void) {
    stdin_close_requested = true;
    if (stdin_pending_off < stdin_pending_len) {
        return;
    }
    /* A terminal's input is its output too: it closes only with the output. */
    if (stdin_fd >= 0 && stdin_fd != console_fd) {
        close(stdin_fd);
        stdin_fd = -1;
    }
}

/* Writes what the pipe takes of the pending input. */
static void flush_stdin(void) {
    while (stdin_pending_off < stdin_pending_len) {
        ssize_t n = write(stdin_fd, stdin_pending + stdin_pending_off, stdin_pending_len - stdin_pending_off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN) {
                /* The container closed its stdin: the rest has nowhere to go. */
                stdin_pending_off = stdin_pending_len;
            }
            break;
        }
        stdin_pending_off += (size_t)n;
    }
    if (stdin_pending_off == stdin_pending_len && stdin_close_requested) {
        close_stdin();
    }
}

/* Input of client i: bytes go to the container's stdin; the end of the client's input closes that stdin. */
static void client_input(int i) {
    ssize_t n = recv(clients[i].fd, stdin_pending, sizeof stdin_pending, 0);
    if (n < 0) {
        if (errno != EINTR && errno != EAGAIN) {
            drop_client(i);
        }
        return;
    }
    if (n == 0) {
        clients[i].input_ended = true;
        if (!opt.leave_stdin_open) {
            close_stdin();
        }
        return;
    }
    if (stdin_fd >= 0) {
        stdin_pending_off = 0;
        stdin_pending_len = (size_t)n;
        flush_stdin();
    }
}

/* --- the ctl FIFO ------------------------------------------------------------------------------------------------ */

static void control(int ctl_fd) {
    static char pending[256];
    static size_t pending_len;
    ssize_t n = read(ctl_fd, pending + pending_len, sizeof pending - 1 - pending_len);
    if (n <= 0) {
        return;
    }
    pending_len += (size_t)n;
    pending[pending_len] = '\0';
    char *line = pending;
    char *nl;
    while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        int type, a, b;
        if (sscanf(line, "%d %d %d", &type, &a, &b) == 3) {
            if (type == 1 && console_fd >= 0) {
                struct winsize ws = {.ws_row = (unsigned short)a, .ws_col = (unsigned short)b};
                if (ioctl(console_fd, TIOCSWINSZ, &ws) < 0) {
                    warn_errno("resizing the terminal");
                }
            } else if (type == 2) {
                reopen_log();
            }
        }
        line = nl + 1;
    }
    pending_len = strlen(line);
    memmove(pending, line, pending_len);
    if (pending_len == sizeof pending - 1) {
        pending_len = 0; /* no message is this long: drop the garbage */
    }
}

/* --- files ------------------------------------------------------------------------------------------------------- */

/* Writes path as a temp file renamed over it, so a watcher never sees it half written. */
static void write_file_atomically(const char *path, const char *content) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        warn_errno(tmp);
        return;
    }
    /* No fsync: readers need the rename's atomicity, not durability; after a host crash the container is gone too. */
    bool ok = write_all(fd, content, strlen(content));
    fchmod(fd, 0644);
    close(fd);
    if (!ok || rename(tmp, path) < 0) {
        warn_errno(path);
        unlink(tmp);
    }
}

static void touch(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        close(fd);
    }
}

static bool read_text(const char *path, char *out, size_t size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) {
        return false;
    }
    out[n] = '\0';
    return true;
}

/*
 * The file that counts OOM kills in the container's memory cgroup, from /proc/<pid>/cgroup: cgroup v1's
 * memory.oom_control, else v2's memory.events (on a unified host, or the cgroup2 mount of a hybrid one).
 */
static bool find_oom_file(pid_t pid, char *out, size_t size) {
    char path[64], text[8192];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    if (!read_text(path, text, sizeof text)) {
        return false;
    }
    const char *unified = NULL;
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        char *controllers = strchr(line, ':');
        char *cgroup = controllers ? strchr(controllers + 1, ':') : NULL;
        if (cgroup == NULL) {
            continue;
        }
        *cgroup++ = '\0';
        controllers++;
        if (strcmp(controllers, "") == 0) {
            unified = cgroup;
            continue;
        }
        for (char *c = controllers; c != NULL;) {
            char *comma = strchr(c, ',');
            if ((comma ? (size_t)(comma - c) : strlen(c)) == 6 && strncmp(c, "memory", 6) == 0) {
                snprintf(out, size, "/sys/fs/cgroup/memory%s/memory.oom_control", cgroup);
                return true;
            }
            c = comma ? comma + 1 : NULL;
        }
    }
    if (unified != NULL) {
        struct stat st;
        snprintf(out, size, "/sys/fs/cgroup%s/memory.events", unified);
        if (stat(out, &st) == 0) {
            return true;
        }
        snprintf(out, size, "/sys/fs/cgroup/unified%s/memory.events", unified);
        return true;
    }
    return false;
}

static bool oom_killed(const char *oom_file) {
    char text[1024];
    if (oom_file[0] == '\0' || !read_text(oom_file, text, sizeof text)) {
        return false;
    }
    const char *at = strstr(text, "oom_kill ");
    return at != NULL && atol(at + strlen("oom_kill ")) > 0;
}

/* --- spawning the runtime ---------------------------------------------------------------------------------------- */

/* A listening socket at a fresh path under $TMPDIR for the runtime's --console-socket, as conmon makes. */
static int console_socket(char *path, size_t size) {
    const char *tmpdir = getenv("TMPDIR");
    snprintf(path, size, "%s/keel-term.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        fail("creating %s: %s", path, strerror(errno));
    }
    close(fd);
    unlink(path);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        fail("console socket path too long: %s", path);
    }
    strcpy(addr.sun_path, path);
    if (bind(sock, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(sock, 1) < 0) {
        fail("binding %s: %s", path, strerror(errno));
    }
    return sock;
}

/* Receives the pty master that the runtime sends over the console socket (SCM_RIGHTS). */
static int receive_console(int listener) {
    int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) {
        return -1;
    }
    char name[256];
    struct iovec iov = {.iov_base = name, .iov_len = sizeof name};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    int fd = -1;
    if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) > 0) {
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        if (cmsg != NULL && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS) {
            memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
        }
    }
    close(conn);
    return fd;
}

static pid_t spawn_runtime(char *const argv[], int in, int out, int err) {
    pid_t pid = fork();
    if (pid < 0) {
        fail("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
            _exit(127);
        }
        execv(argv[0], argv);
        dprintf(2, "keel-monitor: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Writes {"data": -1, "message": "<text>"} to the sync pipe and exits 1. */
static void report_failure(int sync_fd, const char *text, size_t len) {
    struct buf b = {0};
    buf_str(&b, "{\"data\": -1, \"message\": \"");
    json_escape(&b, (const unsigned char *)text, len);
    buf_str(&b, "\"}\n");
    if (sync_fd >= 0) {
        write_all(sync_fd, b.data, b.len);
    }
    fprintf(stderr, "keel-monitor: the runtime failed: %.*s\n", (int)len, text);
    exit(1);
}

static void report_number(int fd, long value) {
    char line[64];
    int n = snprintf(line, sizeof line, "{\"data\": %ld}\n", value);
    if (fd >= 0) {
        write_all(fd, line, (size_t)n);
    }
}

/* --- output ------------------------------------------------------------------------------------------------------ */

/* Reads one chunk of fd; false at its end (EOF, or EIO of a pty whose other side is closed). */
static bool pump(int fd, int stream) {
    unsigned char data[OUTPUT_CHUNK];
    ssize_t n;
    do {
        n = read(fd, data, sizeof data);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        return true;
    }
    if (n <= 0) {
        return false;
    }
    log_output(stream, data, (size_t)n);
    broadcast(stream, data, (size_t)n);
    return true;
}

/* After the main process's exit: what its output pipes hold now, not what a leftover process may write later. */
static void drain(int fd, int stream) {
    if (fd < 0) {
        return;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (;;) {
        unsigned char data[OUTPUT_CHUNK];
        ssize_t n = read(fd, data, sizeof data);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        log_output(stream, data, (size_t)n);
        broadcast(stream, data, (size_t)n);
    }
}

static void reap(void) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == main_pid) {
            main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
}

static void parse_args(int argc, char **argv) {
    enum { API_VERSION = 256, RUNTIME_ARG, EXIT_DIR, SOCKET_DIR, LOG_LEVEL, SYNC, LEAVE_STDIN_OPEN, EXEC_SPEC,
           EXEC_ATTACH, RUN };
    static const struct option options[] = {
        {"api-version", required_argument, NULL, API_VERSION},
        {"cid", required_argument, NULL, 'c'},
        {"cuuid", required_argument, NULL, 'u'},
        {"name", required_argument, NULL, 'n'},
        {"runtime", required_argument, NULL, 'r'},
        {"runtime-arg", required_argument, NULL, RUNTIME_ARG},
        {"bundle", required_argument, NULL, 'b'},
        {"container-pidfile", required_argument, NULL, 'p'},
        {"log-path", required_argument, NULL, 'l'},
        {"exit-dir", required_argument, NULL, EXIT_DIR},
        {"socket-dir-path", required_argument, NULL, SOCKET_DIR},
        {"log-level", required_argument, NULL, LOG_LEVEL},
        {"sync", no_argument, NULL, SYNC},
        {"persist-dir", required_argument, NULL, '0'},
        {"terminal", no_argument, NULL, 't'},
        {"stdin", no_argument, NULL, 'i'},
        {"leave-stdin-open", no_argument, NULL, LEAVE_STDIN_OPEN},
        {"exec", no_argument, NULL, 'e'},
        {"exec-process-spec", required_argument, NULL, EXEC_SPEC},
        {"exec-attach", no_argument, NULL, EXEC_ATTACH},
        {"run", no_argument, NULL, RUN},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:u:n:r:b:p:l:0:tie", options, NULL)) != -1) {
        switch (c) {
            case 'c': opt.cid = optarg; break;
            case 'u': opt.cuuid = optarg; break;
            case 'r': opt.runtime = optarg; break;
            case 'b': opt.bundle = optarg; break;
            case 'p': opt.pidfile = optarg; break;
            case '0': opt.persist_dir = optarg; break;
            case 't': opt.tty = true; break;
            case 'i': opt.stdin_open = true; break;
            case 'e': opt.exec = true; break;
            case 'l':
                if (strncmp(optarg, "json-file:", 10) != 0) {
                    fail("only json-file:<path> logs are written, not %s", optarg);
                }
                opt.log_path = optarg + 10;
                break;
            case RUNTIME_ARG:
                if (opt.runtime_argc == MAX_RUNTIME_ARGS) {
                    fail("too many --runtime-arg");
                }
                opt.runtime_args[opt.runtime_argc++] = optarg;
                break;
            case EXIT_DIR: opt.exit_dir = optarg; break;
            case SOCKET_DIR: opt.socket_dir = optarg; break;
            case LEAVE_STDIN_OPEN: opt.leave_stdin_open = true; break;
            case EXEC_SPEC: opt.exec_spec = optarg; break;
            case EXEC_ATTACH: opt.exec_attach = true; break;
            case RUN: opt.run = true; break;
            case 'n': case API_VERSION: case LOG_LEVEL: case SYNC: break;
            default: fail("usage: see dev.keel.os.monitor.ContainerMonitor");
        }
    }
    if (!opt.cid || !opt.cuuid || !opt.runtime || !opt.bundle || !opt.pidfile || !opt.log_path || !opt.exit_dir ||
        !opt.socket_dir || (opt.exec && !opt.exec_spec)) {
        fail("-c, -u, -r, -b, -p, -l, --exit-dir, --socket-dir-path (and --exec-process-spec with -e) are required");
    }
}

/* <socket-dir>/<cuuid> → bundle, and the listening attach socket in the bundle, reached through that link. */
static int bind_attach(void) {
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/%s", opt.socket_dir, opt.cuuid);
    unlink(link);
    if (symlink(opt.bundle, link) < 0) {
        fail("linking %s: %s", link, strerror(errno));
    }
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/attach", link) >= sizeof addr.sun_path) {
        fail("attach socket path too long: %s/attach", link);
    }
    unlink(addr.sun_path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fail("binding %s: %s", addr.sun_path, strerror(errno));
    }
    chmod(addr.sun_path, 0700);
    if (listen(fd, 10) < 0) {
        fail("listening on %s: %s", addr.sun_path, strerror(errno));
    }
    return fd;
}

/* The ctl FIFO, held open for reading and writing so that it never reads EOF when a writer goes. */
static int open_ctl(void) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/ctl", opt.bundle);
    unlink(path);
    if (mkfifo(path, 0600) < 0) {
        fail("creating %s: %s", path, strerror(errno));
    }
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fail("opening %s: %s", path, strerror(errno));
    }
    return fd;
}

int main(int argc, char **argv) {
    parse_args(argc, argv);
    int start_fd = env_fd("_OCI_STARTPIPE");
    int sync_fd = env_fd("_OCI_SYNCPIPE");
    int attach_pipe = env_fd("_OCI_ATTACHPIPE");
    if (start_fd >= 0) {
        await_start(start_fd);
    }
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGCHLD);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    sigaddset(&handled, SIGQUIT);
    sigprocmask(SIG_BLOCK, &handled, NULL);
    int signal_fd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);

    int attach_fd = bind_attach();
    int ctl_fd = open_ctl();
    if (opt.exec_attach) {
        report_number(attach_pipe, 0);
        if (start_fd >= 0) {
            await_start(start_fd);
        }
    }
    if (start_fd >= 0) {
        close(start_fd);
    }
    if (attach_pipe >= 0) {
        close(attach_pipe);
    }
    open_log();

    /* Without a terminal the container inherits the runtime's stdio; with one, these only carry the runtime's own
     * errors. Either way a failed create leaves its message on the stderr pipe. */
    int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
    if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
        fail("pipe: %s", strerror(errno));
    }
    int child_stdin;
    if (opt.stdin_open && !opt.tty) {
        if (pipe2(in_pipe, O_CLOEXEC) < 0) {
            fail("pipe: %s", strerror(errno));
        }
        child_stdin = in_pipe[0];
        stdin_fd = in_pipe[1];
        fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
    } else {
        child_stdin = open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    char console_path[PATH_MAX] = "";
    int console_listener = opt.tty ? console_socket(console_path, sizeof console_path) : -1;

    const char *args[MAX_RUNTIME_ARGS + 16];
    int n = 0;
    args[n++] = opt.runtime;
    for (int i = 0; i < opt.runtime_argc; i++) {
        args[n++] = opt.runtime_args[i];
    }
    if (opt.exec) {
        args[n++] = "exec";
        args[n++] = "--pid-file";
        args[n++] = opt.pidfile;
        args[n++] = "--process";
        args[n++] = opt.exec_spec;
        args[n++] = "--detach";
        if (opt.tty) {
            args[n++] = "--tty";
        }
    } else {
        args[n++] = opt.run ? "run" : "create";
        if (opt.run) {
            args[n++] = "--detach";
        }
        args[n++] = "--bundle";
        args[n++] = opt.bundle;
        args[n++] = "--pid-file";
        args[n++] = opt.pidfile;
    }
    if (opt.tty) {
        args[n++] = "--console-socket";
        args[n++] = console_path;
    }
    args[n++] = opt.cid;
    args[n] = NULL;

    pid_t runtime_pid = spawn_runtime((char *const *)args, child_stdin, out_pipe[1], err_pipe[1]);
    close(child_stdin);
    close(out_pipe[1]);
    close(err_pipe[1]);
    int runtime_status;
    while (waitpid(runtime_pid, &runtime_status, 0) < 0 && errno == EINTR) {
    }
    if (opt.tty) {
        if (WIFEXITED(runtime_status) && WEXITSTATUS(runtime_status) == 0) {
            console_fd = receive_console(console_listener);
            fcntl(console_fd, F_SETFL, O_NONBLOCK);
        }
        close(console_listener);
        unlink(console_path);
    }
    char pid_text[32];
    if (!WIFEXITED(runtime_status) || WEXITSTATUS(runtime_status) != 0 ||
        !read_text(opt.pidfile, pid_text, sizeof pid_text) || atoi(pid_text) <= 0 || (opt.tty && console_fd < 0)) {
        char message[OUTPUT_CHUNK];
        fcntl(err_pipe[0], F_SETFL, O_NONBLOCK);
        ssize_t got = read(err_pipe[0], message, sizeof message);
        if (got <= 0) {
            got = snprintf(message, sizeof message, "%s %s failed (status %d)", opt.runtime,
                           opt.exec ? "exec" : opt.run ? "run" : "create", runtime_status);
        }
        unlink(opt.pidfile);
        report_failure(sync_fd, message, (size_t)got);
    }
    main_pid = atoi(pid_text);
    char oom_file[PATH_MAX] = "";
    if (!opt.exec && !find_oom_file(main_pid, oom_file, sizeof oom_file)) {
        oom_file[0] = '\0';
    }
    report_number(sync_fd, main_pid);

    int out_fd = out_pipe[0], err_fd = err_pipe[0];
    if (opt.tty) {
        /* The runtime's own pipes are done with: the terminal is the container's stdio. */
        drain(out_fd, STREAM_STDOUT);
        drain(err_fd, STREAM_STDERR);
        close(out_fd);
        close(err_fd);
        out_fd = console_fd;
        err_fd = -1;
        /* As with conmon, a terminal takes input with or without --stdin. */
        stdin_fd = console_fd;
    }

    struct pollfd fds[6 + MAX_CLIENTS];
    reap();
    while (main_status < 0) {
        int nfds = 0;
        fds[nfds++] = (struct pollfd){.fd = signal_fd, .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = ctl_fd, .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = client_count < MAX_CLIENTS ? attach_fd : -1, .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = out_fd, .events = POLLIN};
        fds[nfds++] = (struct pollfd){.fd = err_fd, .events = POLLIN};
        bool input_pending = stdin_pending_off < stdin_pending_len;
        fds[nfds++] = (struct pollfd){.fd = input_pending ? stdin_fd : -1, .events = POLLOUT};
        for (int i = 0; i < client_count; i++) {
            /* Not even a hang-up is looked at while input waits: a client's last input goes before its end. */
            fds[nfds++] = (struct pollfd){.fd = input_pending ? -1 : clients[i].fd,
                                          .events = clients[i].input_ended ? 0 : POLLIN};
        }
        if (poll(fds, (nfds_t)nfds, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("poll: %s", strerror(errno));
        }
        if (fds[5].revents) {
            flush_stdin();
        }
        /* Clients in reverse, so that dropping one (the last moves into its slot) skips none. One client's input at
         * a time: the rest are read once it is written. */
        for (int i = client_count - 1; i >= 0 && !input_pending; i--) {
            short revents = fds[6 + i].revents;
            if (revents & POLLIN) {
                client_input(i);
                input_pending = stdin_pending_off < stdin_pending_len;
            } else if (revents & (POLLHUP | POLLERR)) {
                drop_client(i);
            }
        }
        /* New clients before output: one that connected before the output was written gets it. */
        if (fds[2].revents & POLLIN) {
            accept_clients(attach_fd);
        }
        if (fds[3].revents && !pump(out_fd, STREAM_STDOUT)) {
            if (out_fd == console_fd && stdin_fd == console_fd) {
                stdin_fd = -1;
                stdin_pending_off = stdin_pending_len;
            }
            close(out_fd);
            out_fd = -1;
        }
        if (fds[4].revents && !pump(err_fd, STREAM_STDERR)) {
            close(err_fd);
            err_fd = -1;
        }
        if (fds[1].revents & POLLIN) {
            control(ctl_fd);
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signal_fd, &info, sizeof info) == sizeof info) {
                /* As conmon: TERM, INT and QUIT sent to the monitor are meant for the container. */
                if (info.ssi_signo != SIGCHLD && main_pid > 0) {
                    kill(main_pid, (int)info.ssi_signo);
                }
            }
            reap();
        }
    }

    /* A client that connected while the main process ended (an exec that was over before the loop ran) gets it all. */
    accept_clients(attach_fd);
    drain(out_fd, STREAM_STDOUT);
    drain(err_fd, STREAM_STDERR);
    flush_carries();
    for (int i = client_count - 1; i >= 0; i--) {
        /* Unread input would make the close a reset, and the client's read would fail before the queued output. */
        while (recv(clients[i].fd, stdin_pending, sizeof stdin_pending, MSG_DONTWAIT) > 0) {
        }
        clients[i].input_ended = true;
        drop_client(i);
    }
    char attach_path[PATH_MAX];
    snprintf(attach_path, sizeof attach_path, "%s/attach", opt.bundle);
    unlink(attach_path);

    char code[16], path[PATH_MAX];
    snprintf(code, sizeof code, "%d", main_status);
    if (!opt.exec && oom_killed(oom_file)) {
        touch("oom");
        if (opt.persist_dir) {
            snprintf(path, sizeof path, "%s/oom", opt.persist_dir);
            touch(path);
        }
    }
    if (opt.persist_dir) {
        snprintf(path, sizeof path, "%s/exit", opt.persist_dir);
        write_file_atomically(path, code);
    }
    snprintf(path, sizeof path, "%s/%s", opt.exit_dir, opt.cid);
    write_file_atomically(path, code);
    if (opt.exec) {
        report_number(sync_fd, main_status);
    }
    return 0;
}
