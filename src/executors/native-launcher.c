// The host executor's process launcher in C (see host-launcher.ts and native-launcher.ts): the same
// job as host-launcher.mjs, at the cost of bash's own fork and exec. A process started from Node,
// even from a small Node process, costs about 1 ms more than from a shell, and a pipeline of trivial
// steps is mostly that cost.
//
// Requests arrive on stdin as frames: a 4-byte little-endian length, then the frame. A frame is an
// op byte and NUL-terminated text fields:
//   'r' id argc envc argv... env... cwd stdout-key stderr-key   start a process
//   'f' pid                                                     forget a process group
// Keys are 32 hex digits. Reports leave on stdout as JSON lines, as host-launcher.mjs writes them.
// Each process's stdout and stderr are sockets connected to Gantry's socket (GANTRY_LAUNCHER_SOCKET),
// each first sent its 16-byte key. When stdin ends (Gantry has gone, even killed), every process
// group started here that may still run is killed and the socket's folder removed.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct child {
  pid_t pid;
  unsigned long id;
  int running;  // its exit is still to be reported
  int tracked;  // its group is killed when Gantry goes away
};

static struct child *children;
static size_t child_count, child_capacity;
static const char *socket_path;
static int dev_null;
static sigset_t child_mask;

static void report(const char *text, size_t length) {
  while (length > 0) {
    ssize_t written = write(STDOUT_FILENO, text, length);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // Gantry has gone; stdin's end will say so.
    }
    text += written;
    length -= (size_t)written;
  }
}

static void report_failure(unsigned long id, int error, const char *what) {
  char line[512];
  const char *name = strerrorname_np(error);
  int length = snprintf(line, sizeof line, "{\"id\":%lu,\"event\":\"failed\",\"code\":\"%s\",\"message\":\"%s: %s\"}\n", id,
                        name == NULL ? "EUNKNOWN" : name, what, strerror(error));
  report(line, (size_t)length);
}

static void forget_finished(void) {
  size_t kept = 0;
  for (size_t i = 0; i < child_count; i++) {
    if (children[i].running || children[i].tracked) children[kept++] = children[i];
  }
  child_count = kept;
}

static void add_child(pid_t pid, unsigned long id) {
  if (child_count == child_capacity) {
    child_capacity = child_capacity == 0 ? 16 : child_capacity * 2;
    children = realloc(children, child_capacity * sizeof *children);
    if (children == NULL) abort();
  }
  children[child_count++] = (struct child){pid, id, 1, 1};
}

static int hex_value(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  return -1;
}

// A socket to Gantry that has been sent `key`; -1 with errno set if that failed.
static int output_socket(const char *key) {
  unsigned char bytes[16];
  if (strlen(key) != 32) {
    errno = EINVAL;
    return -1;
  }
  for (int i = 0; i < 16; i++) {
    int high = hex_value(key[2 * i]), low = hex_value(key[2 * i + 1]);
    if (high < 0 || low < 0) {
      errno = EINVAL;
      return -1;
    }
    bytes[i] = (unsigned char)(high << 4 | low);
  }
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    return -1;
  }
  strcpy(address.sun_path, socket_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0 || write(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
    int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

// The child's error, written between vfork and exec (the child shares this memory until then).
static volatile int start_error;

// As Node starts a detached process: a session of its own, stdin from /dev/null, default signal
// handling, the program looked up on the PATH of its own environment (execvp with that environment).
// Beyond Node: the process dies with this launcher (SIGKILL as its parent-death signal), so a step
// never runs on unknown to Gantry, not even one whose start the launcher had no time to report.
static pid_t start_process(char **argv, char **env, const char *cwd, int out, int err) {
  char **own_environ = environ;
  pid_t launcher = getpid();
  sigset_t all, previous;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, &previous);
  start_error = 0;
  pid_t pid = vfork();
  if (pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
      start_error = errno;
      _exit(127);
    }
    if (getppid() != launcher) _exit(127);  // Died already: nobody is left to tell.
    setsid();
    if (dup2(dev_null, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 || chdir(cwd) < 0) {
      start_error = errno;
      _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    environ = env;
    execvp(argv[0], argv);
    start_error = errno;
    _exit(127);
  }
  int error = pid < 0 ? errno : start_error;
  environ = own_environ;
  sigprocmask(SIG_SETMASK, &previous, NULL);
  if (pid > 0 && error != 0) waitpid(pid, NULL, 0);
  if (error != 0) {
    errno = error;
    return -1;
  }
  return pid;
}

// Fields of a 'r' frame, each NUL-terminated; NULL past the end of the frame.
static char *next_field(char **cursor, const char *end) {
  char *field = *cursor;
  if (field >= end) return NULL;
  char *nul = memchr(field, '\0', (size_t)(end - field));
  if (nul == NULL) return NULL;
  *cursor = nul + 1;
  return field;
}

static void run_request(char *frame, const char *end) {
  char *cursor = frame;
  char *id_text = next_field(&cursor, end), *argc_text = next_field(&cursor, end), *envc_text = next_field(&cursor, end);
  if (id_text == NULL || argc_text == NULL || envc_text == NULL) return;
  unsigned long id = strtoul(id_text, NULL, 10);
  size_t argc = strtoul(argc_text, NULL, 10), envc = strtoul(envc_text, NULL, 10);
  char **argv = calloc(argc + 1, sizeof *argv), **env = calloc(envc + 1, sizeof *env);
  if (argv == NULL || env == NULL) abort();
  int complete = argc > 0;
  for (size_t i = 0; complete && i < argc; i++) complete = (argv[i] = next_field(&cursor, end)) != NULL;
  for (size_t i = 0; complete && i < envc; i++) complete = (env[i] = next_field(&cursor, end)) != NULL;
  char *cwd = complete ? next_field(&cursor, end) : NULL;
  char *keys[2] = {cwd ? next_field(&cursor, end) : NULL, NULL};
  keys[1] = keys[0] ? next_field(&cursor, end) : NULL;
  if (keys[1] == NULL) {
    report_failure(id, EINVAL, "malformed request");
  } else {
    int out = output_socket(keys[0]);
    int err = out < 0 ? -1 : output_socket(keys[1]);
    if (err < 0) {
      int error = errno;
      if (out >= 0) close(out);
      report_failure(id, error, "cannot reach Gantry's output socket");
    } else {
      pid_t pid = start_process(argv, env, cwd, out, err);
      int error = errno;
      close(out);
      close(err);
      if (pid < 0) {
        report_failure(id, error, argv[0]);
      } else {
        add_child(pid, id);
        char line[128];
        int length = snprintf(line, sizeof line, "{\"id\":%lu,\"event\":\"started\",\"pid\":%d}\n", id, (int)pid);
        report(line, (size_t)length);
      }
    }
  }
  free(argv);
  free(env);
}

static void forget_request(char *frame, const char *end) {
  char *cursor = frame;
  char *pid_text = next_field(&cursor, end);
  if (pid_text == NULL) return;
  pid_t pid = (pid_t)strtol(pid_text, NULL, 10);
  for (size_t i = 0; i < child_count; i++) {
    if (children[i].pid == pid) children[i].tracked = 0;
  }
  forget_finished();
}

static void reap(int signals) {
  struct signalfd_siginfo info;
  while (read(signals, &info, sizeof info) == sizeof info) {
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < child_count; i++) {
      if (children[i].pid != pid || !children[i].running) continue;
      children[i].running = 0;
      int group_left = kill(-pid, 0) == 0;
      if (!group_left) children[i].tracked = 0;
      const char *left = group_left ? "true" : "false";
      char line[192];
      int length;
      if (WIFSIGNALED(status)) {
        const char *name = sigabbrev_np(WTERMSIG(status));
        length = snprintf(line, sizeof line, "{\"id\":%lu,\"event\":\"exit\",\"code\":null,\"signal\":\"SIG%s\",\"groupLeft\":%s}\n",
                          children[i].id, name == NULL ? "UNKNOWN" : name, left);
      } else {
        length = snprintf(line, sizeof line, "{\"id\":%lu,\"event\":\"exit\",\"code\":%d,\"signal\":null,\"groupLeft\":%s}\n", children[i].id,
                          WEXITSTATUS(status), left);
      }
      report(line, (size_t)length);
    }
  }
  forget_finished();
}

static void end_everything(void) {
  char *folder = strdup(socket_path);
  unlink(socket_path);
  if (folder != NULL) rmdir(dirname(folder));
  for (size_t i = 0; i < child_count; i++) {
    if (children[i].tracked) kill(-children[i].pid, SIGKILL);
  }
  exit(0);
}

int main(void) {
  socket_path = getenv("GANTRY_LAUNCHER_SOCKET");
  if (socket_path == NULL) {
    fputs("gantry-process-launcher: GANTRY_LAUNCHER_SOCKET is not set\n", stderr);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  sigemptyset(&child_mask);
  sigaddset(&child_mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &child_mask, NULL);
  int signals = signalfd(-1, &child_mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (dev_null < 0 || signals < 0) {
    perror("gantry-process-launcher");
    return 2;
  }
  fcntl(STDIN_FILENO, F_SETFD, FD_CLOEXEC);
  fcntl(STDOUT_FILENO, F_SETFD, FD_CLOEXEC);

  size_t capacity = 1 << 16, used = 0;
  char *buffer = malloc(capacity);
  if (buffer == NULL) abort();
  struct pollfd watched[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = signals, .events = POLLIN}};
  for (;;) {
    if (poll(watched, 2, -1) < 0) {
      if (errno == EINTR) continue;
      end_everything();
    }
    if (watched[1].revents & POLLIN) reap(signals);
    if (watched[0].revents == 0) continue;
    if (used == capacity) {
      capacity *= 2;
      buffer = realloc(buffer, capacity);
      if (buffer == NULL) abort();
    }
    ssize_t got = read(STDIN_FILENO, buffer + used, capacity - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) end_everything();
    used += (size_t)got;
    size_t start = 0;
    while (used - start >= 4) {
      uint32_t length;
      memcpy(&length, buffer + start, 4);
      if (used - start - 4 < length) break;
      char *frame = buffer + start + 4;
      const char *end = frame + length;
      if (length > 0 && frame[0] == 'r') run_request(frame + 1, end);
      else if (length > 0 && frame[0] == 'f') forget_request(frame + 1, end);
      start += 4 + (size_t)length;
    }
    memmove(buffer, buffer + start, used - start);
    used -= start;
  }
}
