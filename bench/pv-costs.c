/* pv-costs.c - what the basic operations of a user-space backend cost in
 * the domain it runs in: a system call, a poll, and the round trip of a
 * wake-up between two processes (one writes a pipe, the other sleeps in
 * read and answers).  bench/blkback-bench.sh runs it in dom0 of the
 * testbed (a PV domain, like the driver domains) to explain blkback-acm's
 * costs against Linux's in-kernel blkback, which makes no system calls and
 * wakes one kernel thread per request where blkback-acm wakes its process
 * twice.  Prints "PVCOST <name> <microseconds>" lines. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void report(const char *name, double t0, int n)
{
	printf("PVCOST %s %.1f\n", name, (now_us() - t0) / n);
}

int main(void)
{
	int to_child[2], to_parent[2];
	struct pollfd pfd;
	char c = 'x';
	double t0;
	pid_t pid;
	int n = 20000;

	if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
		perror("pv-costs: pipe");
		return 1;
	}
	t0 = now_us();
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
	report("syscall", t0, n);
	pfd = (struct pollfd){.fd = to_parent[0], .events = POLLIN};
	t0 = now_us();
	for (int i = 0; i < n; i++)
		poll(&pfd, 1, 0);
	report("poll-1-fd", t0, n);
	pid = fork();
	if (pid < 0) {
		perror("pv-costs: fork");
		return 1;
	}
	if (pid == 0) { /* echo every byte back until the pipe closes */
		close(to_child[1]);
		close(to_parent[0]);
		while (read(to_child[0], &c, 1) == 1)
			if (write(to_parent[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to_child[0]);
	close(to_parent[1]);
	n = 2000;
	t0 = now_us();
	for (int i = 0; i < n; i++)
		if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
			fprintf(stderr, "pv-costs: the echo process stopped answering\n");
			return 1;
		}
	report("wakeup-round-trip", t0, n);
	close(to_child[1]);
	waitpid(pid, NULL, 0);
	return 0;
}
