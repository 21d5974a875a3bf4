// The host executor's process launcher in C (see host-launcher.ts and native-launcher.ts): the same
// job as host-launcher.mjs, at the cost of bash's own fork and exec. A process started from Node,
// even from a small Node process, costs about 1 ms more than from a shell, and a pipeline of trivial
// steps is mostly that cost.
//
// Requests arrive on stdin as frames: a 4-byte little-endian length, then the frame. A frame is an
// op byte and NUL-terminated text fields:
//   'r' id argc envc argv... env... cwd     start a process
//   'f' pid                                 forget a process group
//   'c' id                                  stop reading a process's output
//   'k' id signal                           signal a running process's group (the sandbox's way:
//                                           Gantry cannot see its process ids from outside)
// Reports leave on stdout as host-launcher.mjs writes them (see launcher-reports.ts): a 9-byte header
// (type, id and payload length, little-endian) and the payload. Each process's stdout and stderr are
// pipes read here and relayed as reports, so a process's output and its exit leave in the order they
// happened. The end of a running process's output is reported with its exit, a trivial step's ends
// and exit in one write: its pipes close and its exit is signalled one after the other, and each
// report written alone would wake Gantry once more. When stdin ends (Gantry has gone, even
// killed), every process group started here that may still run is killed. With --end-groups-at-exit
// (the sandbox), what is left of a process's group is killed when the process exits.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { HEADER = 9, CHUNK = 1 << 16, DRAIN_AT_EXIT = 1 << 20 };

struct child {
  pid_t pid;
  uint32_t id;
  int running;    // its exit is still to be reported
  int tracked;    // its group is killed when Gantry goes away
  int output[2];  // read ends of its stdout and stderr, -1 once ended
  int ended[2];   // an end of output to report with its exit
};

static struct child *children;
static size_t child_count, child_capacity;
static int dev_null;
static int end_groups_at_exit;

// Reports gathered during one turn of the loop, written together at its end.
static char *reports;
static size_t reports_used, reports_capacity;

static void reserve(size_t more) {
  if (reports_used + more <= reports_capacity) return;
  while (reports_used + more > reports_capacity) reports_capacity = reports_capacity == 0 ? 2 * CHUNK : reports_capacity * 2;
  reports = realloc(reports, reports_capacity);
  if (reports == NULL) abort();
}

static void put_header(char *at, char type, uint32_t id, uint32_t length) {
  at[0] = type;
  memcpy(at + 1, &id, 4);
  memcpy(at + 5, &length, 4);
}

static void add_report(char type, uint32_t id, const char *payload, size_t length) {
  reserve(HEADER + length);
  put_header(reports + reports_used, type, id, (uint32_t)length);
  if (length > 0) memcpy(reports + reports_used + HEADER, payload, length);
  reports_used += HEADER + length;
}

static void flush_reports(void) {
  size_t done = 0;
  while (done < reports_used) {
    ssize_t written = write(STDOUT_FILENO, reports + done, reports_used - done);
    if (written < 0) {
      if (errno == EINTR) continue;
      break;  // Gantry has gone; stdin's end will say so.
    }
    done += (size_t)written;
  }
  reports_used = 0;
}

static void report_failure(uint32_t id, int error, const char *what) {
  char text[512];
  const char *name = strerrorname_np(error);
  int length = snprintf(text, sizeof text, "%s%c%s: %s", name == NULL ? "EUNKNOWN" : name, '\0', what, strerror(error));
  add_report('F', id, text, (size_t)length < sizeof text ? (size_t)length : sizeof text - 1);
}

static void close_output(struct child *child, int stream) {
  if (child->output[stream] < 0) return;
  close(child->output[stream]);
  child->output[stream] = -1;
}

// Relays what the stream holds now, up to `limit` bytes; reports its end when it has ended.
static void relay(struct child *child, int stream, size_t limit) {
  size_t relayed = 0;
  while (child->output[stream] >= 0 && relayed < limit) {
    reserve(HEADER + CHUNK);
    ssize_t got = read(child->output[stream], reports + reports_used + HEADER, CHUNK);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) {
      close_output(child, stream);
      if (child->running) child->ended[stream] = 1;
      else add_report(stream == 0 ? 'o' : 'e', child->id, NULL, 0);
      return;
    }
    put_header(reports + reports_used, stream == 0 ? 'O' : 'E', child->id, (uint32_t)got);
    reports_used += HEADER + (size_t)got;
    relayed += (size_t)got;
  }
}

static void forget_finished(void) {
  size_t kept = 0;
  for (size_t i = 0; i < child_count; i++) {
    struct child *child = &children[i];
    if (child->running || child->tracked || child->output[0] >= 0 || child->output[1] >= 0) children[kept++] = *child;
  }
  child_count = kept;
}

static struct child *child_with_id(uint32_t id) {
  for (size_t i = 0; i < child_count; i++) {
    if (children[i].id == id) return &children[i];
  }
  return NULL;
}

static void add_child(pid_t pid, uint32_t id, int out, int err) {
  if (child_count == child_capacity) {
    child_capacity = child_capacity == 0 ? 16 : child_capacity * 2;
    children = realloc(children, child_capacity * sizeof *children);
    if (children == NULL) abort();
  }
  children[child_count++] = (struct child){pid, id, 1, 1, {out, err}, {0, 0}};
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

// Fields of a frame, each NUL-terminated; NULL past the end of the frame.
static char *next_field(char **cursor, const char *end) {
  char *field = *cursor;
  if (field >= end) return NULL;
  char *nul = memchr(field, '\0', (size_t)(end - field));
  if (nul == NULL) return NULL;
  *cursor = nul + 1;
  return field;
}

// Pipes for a process's stdout and stderr: `ends` gets {stdout read, stdout write, stderr read, stderr write}.
static int output_pipes(int ends[4]) {
  if (pipe2(ends, O_CLOEXEC) < 0) return -1;
  if (pipe2(ends + 2, O_CLOEXEC) < 0) {
    int error = errno;
    close(ends[0]);
    close(ends[1]);
    errno = error;
    return -1;
  }
  fcntl(ends[0], F_SETFL, O_NONBLOCK);
  fcntl(ends[2], F_SETFL, O_NONBLOCK);
  return 0;
}

static void run_request(char *frame, const char *end) {
  char *cursor = frame;
  char *id_text = next_field(&cursor, end), *argc_text = next_field(&cursor, end), *envc_text = next_field(&cursor, end);
  if (id_text == NULL || argc_text == NULL || envc_text == NULL) return;
  uint32_t id = (uint32_t)strtoul(id_text, NULL, 10);
  size_t argc = strtoul(argc_text, NULL, 10), envc = strtoul(envc_text, NULL, 10);
  char **argv = calloc(argc + 1, sizeof *argv), **env = calloc(envc + 1, sizeof *env);
  if (argv == NULL || env == NULL) abort();
  int complete = argc > 0;
  for (size_t i = 0; complete && i < argc; i++) complete = (argv[i] = next_field(&cursor, end)) != NULL;
  for (size_t i = 0; complete && i < envc; i++) complete = (env[i] = next_field(&cursor, end)) != NULL;
  char *cwd = complete ? next_field(&cursor, end) : NULL;
  int ends[4];
  if (cwd == NULL) {
    report_failure(id, EINVAL, "malformed request");
  } else if (output_pipes(ends) < 0) {
    report_failure(id, errno, "cannot make the pipes for its output");
  } else {
    pid_t pid = start_process(argv, env, cwd, ends[1], ends[3]);
    int error = errno;
    close(ends[1]);
    close(ends[3]);
    if (pid < 0) {
      close(ends[0]);
      close(ends[2]);
      report_failure(id, error, argv[0]);
    } else {
      add_child(pid, id, ends[0], ends[2]);
      char text[16];
      int length = snprintf(text, sizeof text, "%d", (int)pid);
      add_report('S', id, text, (size_t)length);
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
}

static void close_request(char *frame, const char *end) {
  char *cursor = frame;
  char *id_text = next_field(&cursor, end);
  if (id_text == NULL) return;
  struct child *child = child_with_id((uint32_t)strtoul(id_text, NULL, 10));
  if (child == NULL) return;
  close_output(child, 0);
  close_output(child, 1);
}

static void signal_request(char *frame, const char *end) {
  char *cursor = frame;
  char *id_text = next_field(&cursor, end), *signal_text = next_field(&cursor, end);
  if (id_text == NULL || signal_text == NULL) return;
  struct child *child = child_with_id((uint32_t)strtoul(id_text, NULL, 10));
  if (child != NULL && child->running) kill(-child->pid, (int)strtol(signal_text, NULL, 10));
}

static void reap(int signals) {
  struct signalfd_siginfo info;
  while (read(signals, &info, sizeof info) == sizeof info) {
  }
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < child_count; i++) {
      struct child *child = &children[i];
      if (child->pid != pid || !child->running) continue;
      child->running = 0;
      if (end_groups_at_exit) kill(-pid, SIGKILL);
      int group_left = !end_groups_at_exit && kill(-pid, 0) == 0;
      if (!group_left) child->tracked = 0;
      // What it wrote before it exited goes first (bounded: a process left in its group may write on).
      relay(child, 0, DRAIN_AT_EXIT);
      relay(child, 1, DRAIN_AT_EXIT);
      for (int stream = 0; stream < 2; stream++) {
        if (child->ended[stream]) add_report(stream == 0 ? 'o' : 'e', child->id, NULL, 0);
      }
      char text[64];
      int length;
      if (WIFSIGNALED(status)) {
        const char *name = sigabbrev_np(WTERMSIG(status));
        length = snprintf(text, sizeof text, "%cSIG%s%c%d", '\0', name == NULL ? "UNKNOWN" : name, '\0', group_left);
      } else {
        length = snprintf(text, sizeof text, "%d%c%c%d", WEXITSTATUS(status), '\0', '\0', group_left);
      }
      add_report('X', child->id, text, (size_t)length);
    }
  }
}

static void end_everything(void) {
  for (size_t i = 0; i < child_count; i++) {
    if (children[i].tracked) kill(-children[i].pid, SIGKILL);
  }
  exit(0);
}

int main(int argc, char **argv) {
  // How native-launcher.ts checks that a build runs on this machine.
  if (argc == 2 && strcmp(argv[1], "--check") == 0) {
    puts("gantry-process-launcher");
    return 0;
  }
  end_groups_at_exit = argc == 2 && strcmp(argv[1], "--end-groups-at-exit") == 0;
  signal(SIGPIPE, SIG_IGN);
  dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  sigset_t child_mask;
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
  // stdin, the signals, then each open output stream; `owners` holds the stream's child index * 2 + stream.
  struct pollfd *watched = NULL;
  size_t *owners = NULL;
  size_t watched_capacity = 0;
  for (;;) {
    flush_reports();
    forget_finished();
    if (watched_capacity < 2 + 2 * child_count) {
      watched_capacity = 2 + 2 * child_count + 16;
      watched = realloc(watched, watched_capacity * sizeof *watched);
      owners = realloc(owners, watched_capacity * sizeof *owners);
      if (watched == NULL || owners == NULL) abort();
    }
    watched[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    watched[1] = (struct pollfd){.fd = signals, .events = POLLIN};
    size_t count = 2;
    for (size_t i = 0; i < child_count; i++) {
      for (int stream = 0; stream < 2; stream++) {
        if (children[i].output[stream] < 0) continue;
        owners[count] = 2 * i + (size_t)stream;
        watched[count++] = (struct pollfd){.fd = children[i].output[stream], .events = POLLIN};
      }
    }
    if (poll(watched, count, -1) < 0) {
      if (errno == EINTR) continue;
      end_everything();
    }
    for (size_t i = 2; i < count; i++) {
      if (watched[i].revents != 0) relay(&children[owners[i] / 2], (int)(owners[i] % 2), CHUNK);
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
      else if (length > 0 && frame[0] == 'c') close_request(frame + 1, end);
      else if (length > 0 && frame[0] == 'k') signal_request(frame + 1, end);
      start += 4 + (size_t)length;
    }
    memmove(buffer, buffer + start, used - start);
    used -= start;
  }
}
