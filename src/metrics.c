// SPDX-License-Identifier: MIT
/*
 * Prometheus text metrics from the counter map, served over HTTP/1.0 by one
 * thread that multiplexes its clients with poll(): a client that connects
 * and sends nothing, or reads slowly, holds only its own slot until its
 * deadline, and when every slot is taken the oldest one gives way.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "metrics.h"

#define MAX_CLIENTS 16
#define CLIENT_TIMEOUT_MS 5000	/* request and answer, per client */

struct client {
	int fd;			/* -1: free slot */
	long long deadline_ms;
	char req[1024];
	size_t req_len;
	char *out;		/* the answer, once the request is in */
	size_t out_len, out_sent;
};

struct ff_metrics {
	int fd;
	volatile int stop;
	pthread_t thread;
	const struct ff_maps *mp;
	char iface[32];
	struct client cl[MAX_CLIENTS];
};

int ff_prom_escape(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in; in++) {
		const char *rep = *in == '\\' ? "\\\\" : *in == '"' ? "\\\"" :
				  *in == '\n' ? "\\n" : NULL;
		size_t k = rep ? 2 : 1;

		if (n + k >= outlen)
			return -1;
		if (rep)
			memcpy(out + n, rep, 2);
		else
			out[n] = *in;
		n += k;
	}
	if (n >= outlen)
		return -1;
	out[n] = 0;
	return 0;
}

/* A label value, escaped; a value too long for the buffer is cut, never
 * left unescaped. */
static const char *label(const char *v, char *buf, size_t len)
{
	char tmp[FF_NAME_MAX];

	if (ff_prom_escape(v, buf, len) == 0)
		return buf;
	snprintf(tmp, sizeof(tmp), "%.*s", (int)(len / 2 - 1), v);
	return ff_prom_escape(tmp, buf, len) == 0 ? buf : "";
}

char *ff_metrics_render(const struct ff_maps *mp, const char *iface)
{
	struct ff_model_meta meta;
	struct ff_counters c;
	char *buf = NULL, ifl[2 * 32 + 1], cl[2 * FF_NAME_MAX + 1], name[FF_NAME_MAX];
	__u32 i, n_classes = 0;
	size_t len = 0;
	FILE *f;

	if (ff_maps_counters(mp, &c))
		return NULL;
	/* The active model names the classes: after a swap, the new names. */
	if (ff_maps_active_meta(mp, &meta) == 0 && meta.generation)
		n_classes = meta.n_classes < FF_MAX_CLASSES ? meta.n_classes : FF_MAX_CLASSES;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	label(iface, ifl, sizeof(ifl));
	for (i = 0; i < FF_C__FIXED; i++) {
		const char *n = ff_counter_names[i];

		fprintf(f, "# TYPE flowforest_%s_total counter\n", n);
		fprintf(f, "flowforest_%s_total{iface=\"%s\"} %" PRIu64 "\n", n, ifl,
			(uint64_t)c.c[i]);
	}
	fprintf(f, "# TYPE flowforest_class_packets_total counter\n");
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		if (n_classes && i >= n_classes)
			break;
		if (n_classes) {
			snprintf(name, sizeof(name), "%.*s", FF_NAME_MAX - 1, meta.class_names[i]);
			fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"%s\"} %" PRIu64 "\n",
				ifl, label(name, cl, sizeof(cl)), (uint64_t)c.class_pkts[i]);
		} else if (c.class_pkts[i]) {
			fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"%u\"} %" PRIu64 "\n",
				ifl, i, (uint64_t)c.class_pkts[i]);
		}
	}
	fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"(none)\"} %" PRIu64 "\n",
		ifl, (uint64_t)c.unclassified_pkts);
	fclose(f);
	return buf;
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* A free slot, or the one closest to its deadline, closed to make room. */
static struct client *client_slot(struct ff_metrics *m)
{
	struct client *oldest = &m->cl[0];
	int i;

	for (i = 0; i < MAX_CLIENTS; i++) {
		if (m->cl[i].fd < 0)
			return &m->cl[i];
		if (m->cl[i].deadline_ms < oldest->deadline_ms)
			oldest = &m->cl[i];
	}
	client_close(oldest);
	return oldest;
}

static void client_accept(struct ff_metrics *m)
{
	struct client *c;
	int fd = accept4(m->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	c = client_slot(m);
	c->fd = fd;
	c->deadline_ms = (long long)(ff_mono_ns() / 1000000) + CLIENT_TIMEOUT_MS;
}

/* The answer, whatever the request asked: the metrics. */
static void client_answer(struct ff_metrics *m, struct client *c)
{
	char *body = ff_metrics_render(m->mp, m->iface);
	FILE *f;

	if (!body) {
		client_close(c);
		return;
	}
	f = open_memstream(&c->out, &c->out_len);
	if (!f) {
		free(body);
		client_close(c);
		return;
	}
	fprintf(f, "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
		"Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
	fclose(f);
	free(body);
}

static bool request_complete(const struct client *c)
{
	return memmem(c->req, c->req_len, "\r\n\r\n", 4) || memmem(c->req, c->req_len, "\n\n", 2) ||
	       c->req_len == sizeof(c->req);
}

static void client_io(struct ff_metrics *m, struct client *c)
{
	ssize_t n;

	if (!c->out) {
		n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				client_close(c);
			return;
		}
		c->req_len += n;
		if (n > 0 && !request_complete(c))
			return;
		client_answer(m, c);	/* a client that half-closed gets it too */
		if (c->fd < 0)
			return;
	}
	n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c);
		return;
	}
	c->out_sent += n;
	if (c->out_sent == c->out_len)
		client_close(c);
}

static void *serve(void *arg)
{
	struct ff_metrics *m = arg;
	struct pollfd p[MAX_CLIENTS + 1];
	struct client *who[MAX_CLIENTS + 1];

	while (!m->stop) {
		long long now = (long long)(ff_mono_ns() / 1000000), wait = 200;
		int i, n = 1;

		p[0] = (struct pollfd){ .fd = m->fd, .events = POLLIN };
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct client *c = &m->cl[i];

			if (c->fd < 0)
				continue;
			if (now >= c->deadline_ms) {	/* idle or too slow: its slot only */
				client_close(c);
				continue;
			}
			if (c->deadline_ms - now < wait)
				wait = c->deadline_ms - now;
			who[n] = c;
			p[n++] = (struct pollfd){ .fd = c->fd, .events = c->out ? POLLOUT : POLLIN };
		}
		if (poll(p, n, (int)wait) <= 0)
			continue;
		for (i = 1; i < n; i++)
			if (p[i].revents)
				client_io(m, who[i]);
		if (p[0].revents & POLLIN)
			client_accept(m);
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_close(&m->cl[i]);
	return NULL;
}

/* "ADDR:PORT" (IPv6 in brackets) into a socket address. */
static int parse_addr(const char *addr_port, struct sockaddr_storage *ss, socklen_t *sl,
		      char *err, size_t errlen)
{
	char host[128], *colon;
	long port;

	snprintf(host, sizeof(host), "%s", addr_port);
	colon = strrchr(host, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "--metrics wants ADDRESS:PORT, e.g. 127.0.0.1:9464");
		return -1;
	}
	*colon = 0;
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535) {
		snprintf(err, errlen, "--metrics: bad port '%s'", colon + 1);
		return -1;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		*sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		*sl = sizeof(struct sockaddr_in6);
	} else {
		snprintf(err, errlen, "--metrics: '%s' is not an IP address", host);
		return -1;
	}
	return 0;
}

struct ff_metrics *ff_metrics_start(const char *addr_port, const struct ff_maps *mp,
				    const char *iface, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct ff_metrics *m;
	socklen_t sl;
	int one = 1, i;

	if (parse_addr(addr_port, &ss, &sl, err, errlen))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->mp = mp;
	for (i = 0; i < MAX_CLIENTS; i++)
		m->cl[i].fd = -1;
	snprintf(m->iface, sizeof(m->iface), "%s", iface);
	m->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(m->fd, (struct sockaddr *)&ss, sl) || listen(m->fd, 64)) {
		snprintf(err, errlen, "--metrics: cannot listen on %s: %s", addr_port, strerror(errno));
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		return NULL;
	}
	if (pthread_create(&m->thread, NULL, serve, m)) {
		snprintf(err, errlen, "--metrics: cannot start a thread");
		close(m->fd);
		free(m);
		return NULL;
	}
	return m;
}

void ff_metrics_stop(struct ff_metrics *m)
{
	if (!m)
		return;
	m->stop = 1;
	pthread_join(m->thread, NULL);
	close(m->fd);
	free(m);
}
