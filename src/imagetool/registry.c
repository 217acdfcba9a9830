/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "macro.h"
#include "manifest.h"
#include "registry.h"
#include "util.h"

#define REDIRECTS_MAX 10
#define ERROR_BODY_MAX (16 * 1024)
#define TOKEN_BODY_MAX (64 * 1024)
#define USER_AGENT "ns/" NS_VERSION

struct Registry {
        CURL *curl;
        char *host; /* where the API is: "registry-1.docker.io", "localhost:5000" */
        char *repository;
        const char *scheme; /* "https", or "http" once a handshake showed plain HTTP */
        bool scheme_settled;
        bool plain_allowed; /* loopback, or --insecure-registry */
        bool insecure;
        char *token; /* the bearer token, once a challenge was answered */
        RegistryOptions o;
        char errbuf[CURL_ERROR_SIZE];
};

/* One response: what its headers said, and where its body went. */
typedef struct Response {
        CURL *curl;
        long status;
        char *content_type;
        char *docker_digest;
        char *www_authenticate;
        /* a 2xx body goes to sink; another one is kept for the message */
        int (*sink)(void *userdata, const void *buf, size_t n);
        void *userdata;
        int sink_error;
        char *error_body;
        size_t error_len;
} Response;

static void response_reset(Response *resp)
{
        free(resp->content_type);
        free(resp->docker_digest);
        free(resp->www_authenticate);
        free(resp->error_body);
        resp->status = 0;
        resp->content_type = resp->docker_digest = resp->www_authenticate = NULL;
        resp->error_body = NULL;
        resp->error_len = 0;
        resp->sink_error = 0;
}

const char *registry_step_to_string(RegistryStep s)
{
        static const char *const names[REGISTRY_STEP_MAX] = {
                [REGISTRY_STEP_REF] = "not a registry reference",
                [REGISTRY_STEP_CONNECT] = "cannot connect",
                [REGISTRY_STEP_TLS] = "TLS error",
                [REGISTRY_STEP_INSECURE] = "plain HTTP refused",
                [REGISTRY_STEP_AUTH] = "authentication failed",
                [REGISTRY_STEP_HTTP] = "registry error",
                [REGISTRY_STEP_MANIFEST_UNKNOWN] = "manifest unknown",
                [REGISTRY_STEP_MANIFEST] = "bad manifest",
                [REGISTRY_STEP_PLATFORM] = "no image for this platform",
                [REGISTRY_STEP_DIGEST] = "digest mismatch",
                [REGISTRY_STEP_SIZE] = "size mismatch",
                [REGISTRY_STEP_STORE] = "cannot write the image store",
                [REGISTRY_STEP_UNPACK] = "cannot unpack",
                [REGISTRY_STEP_UNSAFE] = "refused: an entry leaves the layer",
        };
        return s >= 0 && s < REGISTRY_STEP_MAX ? names[s] : "failed";
}

static char *header_value(const char *line, size_t n, const char *name)
{
        size_t k = strlen(name);
        const char *v, *end = line + n;

        if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
                return NULL;
        v = line + k + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        return xstrndup(v, (size_t)(end - v));
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *userdata)
{
        Response *resp = userdata;
        size_t n = size * nitems;
        char *v;

        /* a new status line (after a 100 Continue, say): forget the last headers */
        if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
                response_reset(resp);
                return n;
        }
        if ((v = header_value(buf, n, "Content-Type"))) {
                free(resp->content_type);
                resp->content_type = v;
        } else if ((v = header_value(buf, n, "Docker-Content-Digest"))) {
                free(resp->docker_digest);
                resp->docker_digest = v;
        } else if ((v = header_value(buf, n, "WWW-Authenticate"))) {
                /* several challenges may come: Bearer is the one answered */
                if (!resp->www_authenticate || strncasecmp(v, "Bearer", 6) == 0) {
                        free(resp->www_authenticate);
                        resp->www_authenticate = v;
                } else
                        free(v);
        }
        return n;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *userdata)
{
        Response *resp = userdata;
        size_t n = size * nmemb;
        long status = 0;
        int r;

        /* the status is known once the headers are in, before any body */
        curl_easy_getinfo(resp->curl, CURLINFO_RESPONSE_CODE, &status);
        resp->status = status;
        if (status >= 200 && status < 300) {
                r = resp->sink(resp->userdata, buf, n);
                if (r < 0) {
                        resp->sink_error = r;
                        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
                }
                return n;
        }
        /* a redirect's or an error's body: kept (bounded) for the message */
        if (status >= 400 && resp->error_len < ERROR_BODY_MAX) {
                size_t k = MIN(n, ERROR_BODY_MAX - resp->error_len);

                resp->error_body = xrealloc(resp->error_body, resp->error_len + k + 1);
                memcpy(resp->error_body + resp->error_len, buf, k);
                resp->error_len += k;
                resp->error_body[resp->error_len] = '\0';
        }
        return n;
}

/* The origin of an absolute URL: scheme, host and port, lower case where
 * case does not matter. -EINVAL when it is not an http(s) URL. */
typedef struct Origin {
        char *scheme;
        char *host;
        char *port;
} Origin;

static void origin_done(Origin *o)
{
        free(o->scheme);
        free(o->host);
        free(o->port);
        *o = (Origin){};
}

static int origin_of(const char *url, Origin *ret)
{
        CURLU *u = curl_url();
        char *scheme = NULL, *host = NULL, *port = NULL;
        int r = 0;

        if (!u)
                oom();
        if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
            (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0))
                r = -EINVAL;
        if (r == 0) {
                *ret = (Origin){ .scheme = xstrdup(scheme),
                                 .host = xstrdup(host),
                                 .port = xstrdup(port) };
                for (char *p = ret->scheme; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
                for (char *p = ret->host; *p; p++)
                        *p = (char)tolower((unsigned char)*p);
        }
        curl_free(scheme);
        curl_free(host);
        curl_free(port);
        curl_url_cleanup(u);
        return r;
}

static bool origin_eq(const Origin *a, const Origin *b)
{
        return streq(a->scheme, b->scheme) && streq(a->host, b->host) && streq(a->port, b->port);
}

/* Whether plain HTTP may be spoken to this origin: loopback, or the
 * user said --insecure-registry. */
static bool plain_ok(const Registry *r, const Origin *o)
{
        _cleanup_free_ char *h = NULL;

        if (r->insecure)
                return true;
        /* curl gives IPv6 hosts in brackets, as registry_host_is_loopback() takes them */
        h = xstrdup(o->host);
        return registry_host_is_loopback(h);
}

int registry_new(const ImageRef *ref, const RegistryOptions *o, Registry **ret, StepError *ret_err)
{
        Registry *r;

        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
                return step_error(ret_err, REGISTRY_STEP_CONNECT, EIO, "libcurl initialisation");
        r = xnew(Registry, 1);
        r->curl = curl_easy_init();
        if (!r->curl)
                oom();
        /* Docker Hub's API is not on the name people write */
        r->host =
                xstrdup(streq(ref->registry, "docker.io") ? "registry-1.docker.io" : ref->registry);
        r->repository = xstrdup(ref->repository);
        r->insecure = o && o->insecure;
        r->plain_allowed = r->insecure || registry_host_is_loopback(r->host);
        r->scheme = "https";
        if (o)
                r->o = *o;
        *ret = r;
        return 0;
}

Registry *registry_free(Registry *r)
{
        if (!r)
                return NULL;
        curl_easy_cleanup(r->curl);
        free(r->host);
        free(r->repository);
        free(r->token);
        free(r);
        return NULL;
}

/* strerror() as a message says it: lower case */
static const char *lower(const char *s, char *buf, size_t n)
{
        snprintf(buf, n, "%s", s);
        buf[0] = (char)tolower((unsigned char)buf[0]);
        return buf;
}

/* Words for a failed transfer; the step says which kind of failure. */
static int transfer_error(Registry *r, CURLcode c, const Origin *o, StepError *ret_err)
{
        const char *words = r->errbuf[0] ? r->errbuf : curl_easy_strerror(c);

        switch (c) {
        case CURLE_COULDNT_RESOLVE_HOST:
                return step_error(ret_err, REGISTRY_STEP_CONNECT, EHOSTUNREACH, "no such host '%s'",
                                  o->host);
        case CURLE_COULDNT_CONNECT: {
                long os_errno = 0;
                char buf[128];

                curl_easy_getinfo(r->curl, CURLINFO_OS_ERRNO, &os_errno);
                return step_error(
                        ret_err, REGISTRY_STEP_CONNECT, os_errno > 0 ? (int)os_errno : ECONNREFUSED,
                        "cannot connect to '%s:%s': %s", o->host, o->port,
                        os_errno > 0 ? lower(strerror((int)os_errno), buf, sizeof(buf)) : words);
        }
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_GOT_NOTHING:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
                return step_error(ret_err, REGISTRY_STEP_CONNECT, ECONNREFUSED, "%s:%s: %s",
                                  o->host, o->port, words);
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
                return step_error(
                        ret_err, REGISTRY_STEP_TLS, EPROTO, "%s:%s: %s%s", o->host, o->port, words,
                        r->plain_allowed ? ""
                                         : " (a registry on plain HTTP needs --insecure-registry)");
        default:
                return step_error(ret_err, REGISTRY_STEP_HTTP, EIO, "%s:%s: %s", o->host, o->port,
                                  words);
        }
}

/* Whether an HTTPS attempt failed in a way that says the server speaks
 * plain HTTP (or nothing TLS at all), so that HTTP is worth a try. */
static bool handshake_failed(CURLcode c)
{
        return c == CURLE_SSL_CONNECT_ERROR || c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR ||
               c == CURLE_SEND_ERROR || c == CURLE_UNSUPPORTED_PROTOCOL;
}

/* One request, no redirects followed. */
static CURLcode perform(Registry *r, const char *url, const char *accept, const char *bearer,
                        bool verify, Response *resp)
{
        struct curl_slist *h = NULL;
        _cleanup_free_ char *auth = NULL, *acc = NULL;
        CURLcode c;

        curl_easy_reset(r->curl);
        r->errbuf[0] = '\0';
        if (accept) {
                acc = xasprintf("Accept: %s", accept);
                h = curl_slist_append(h, acc);
        }
        if (bearer) {
                auth = xasprintf("Authorization: Bearer %s", bearer);
                h = curl_slist_append(h, auth);
        }
        curl_easy_setopt(r->curl, CURLOPT_URL, url);
        curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(r->curl, CURLOPT_USERAGENT, USER_AGENT);
        curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, r->errbuf);
        curl_easy_setopt(r->curl, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT, 30L);
        /* a stalled transfer (under 1 byte/s for a minute) is an error, a slow one is not */
        curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(r->curl, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
        curl_easy_setopt(r->curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
        curl_easy_setopt(r->curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(r->curl, CURLOPT_HEADERDATA, resp);
        curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, resp);

        response_reset(resp);
        resp->curl = r->curl;
        c = curl_easy_perform(r->curl);
        if (c == CURLE_OK || c == CURLE_WRITE_ERROR)
                curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &resp->status);
        curl_slist_free_all(h);
        return c;
}

static int fetch_token(Registry *r, const char *challenge, StepError *ret_err);

/* The registry's message of an error body: {"errors":[{"code":...,"message":...}]} */
static char *error_message(const Response *resp)
{
        const char *end, *v, *elem;
        char *msg = NULL;
        JsonIter it;

        if (!resp->error_body)
                return NULL;
        end = resp->error_body + resp->error_len;
        if (json_object_get(resp->error_body, end, "errors", &v) <= 0 ||
            json_iter_array(v, end, &it) < 0 || json_iter_next(&it, &elem) <= 0)
                return NULL;
        if (json_object_get_string(elem, end, "message", &msg) <= 0 &&
            json_object_get_string(elem, end, "code", &msg) <= 0)
                return NULL;
        return str_sanitize(msg);
}

/*
 * GET path ("/v2/...") of the registry, or an absolute URL (a token
 * realm), following redirects by hand and answering one Bearer challenge.
 * Returns 0 with resp->status 2xx and the body given to resp->sink, or
 * -errno with ret_err filled (a 404 is left to the caller: it returns 0
 * with resp->status 404). When the sink refused the body, its -errno is
 * returned as it is, in resp->sink_error too, and ret_err is the caller's
 * to fill.
 */
static int get(Registry *r, const char *path, const char *accept, Response *resp,
               StepError *ret_err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_(origin_done) Origin home = {};
        bool answered = false, absolute = !startswith(path, "/");
        int r_;

        for (;;) {
                bool send_token;
                int hops = 0;
                CURLcode c;

                free(url);
                url = absolute ? xstrdup(path) : xasprintf("%s://%s%s", r->scheme, r->host, path);
                origin_done(&home);
                if (origin_of(url, &home) < 0)
                        return step_error(ret_err, REGISTRY_STEP_HTTP, EINVAL, "bad URL '%s'", url);
                if (streq(home.scheme, "http") && !plain_ok(r, &home))
                        return step_error(
                                ret_err, REGISTRY_STEP_INSECURE, EPERM,
                                "'%s' is plain HTTP: pass --insecure-registry to allow it",
                                home.host);
                send_token = !absolute && r->token;

                for (;;) {
                        _cleanup_(origin_done) Origin here = {};
                        char *next = NULL;

                        if (origin_of(url, &here) < 0)
                                return step_error(ret_err, REGISTRY_STEP_HTTP, EINVAL,
                                                  "bad redirect to '%s'", url);
                        /* certificates are checked except where plain HTTP would be allowed */
                        c = perform(r, url, accept, send_token ? r->token : NULL,
                                    !plain_ok(r, &here), resp);
                        if (c != CURLE_OK) {
                                if (c == CURLE_WRITE_ERROR && resp->sink_error < 0)
                                        return resp->sink_error;
                                /* HTTPS first, then HTTP where allowed, as docker
                                 * tries its insecure registries */
                                if (!absolute && hops == 0 && !r->scheme_settled &&
                                    r->plain_allowed && streq(r->scheme, "https") &&
                                    handshake_failed(c)) {
                                        r->scheme = "http";
                                        break;
                                }
                                return transfer_error(r, c, &here, ret_err);
                        }
                        if (!absolute)
                                r->scheme_settled = true;
                        if (resp->status < 300 || resp->status >= 400)
                                break;

                        curl_easy_getinfo(r->curl, CURLINFO_REDIRECT_URL, &next);
                        if (!next)
                                return step_error(ret_err, REGISTRY_STEP_HTTP, EPROTO,
                                                  "redirect without a location from '%s'",
                                                  here.host);
                        if (++hops > REDIRECTS_MAX)
                                return step_error(ret_err, REGISTRY_STEP_HTTP, ELOOP,
                                                  "too many redirects from '%s'", home.host);
                        free(url);
                        url = xstrdup(next);
                        {
                                _cleanup_(origin_done) Origin there = {};

                                if (origin_of(url, &there) < 0)
                                        return step_error(ret_err, REGISTRY_STEP_HTTP, EINVAL,
                                                          "bad redirect from '%s'", here.host);
                                /* never a downgrade to plain HTTP where it is not allowed */
                                if (streq(there.scheme, "http") && !plain_ok(r, &there))
                                        return step_error(ret_err, REGISTRY_STEP_INSECURE, EPERM,
                                                          "redirect to plain HTTP '%s' refused",
                                                          there.host);
                                /* the token is the registry's: storage elsewhere never sees it */
                                send_token = send_token && origin_eq(&there, &home);
                        }
                }
                if (c != CURLE_OK)
                        continue; /* the scheme changed: start over */

                if (resp->status == 401 && !absolute && !answered && resp->www_authenticate) {
                        _cleanup_free_ char *ch = TAKE_PTR(resp->www_authenticate);

                        r_ = fetch_token(r, ch, ret_err);
                        if (r_ < 0)
                                return r_;
                        answered = true;
                        continue;
                }
                break;
        }

        if (resp->status >= 200 && resp->status < 300)
                return 0;
        if (resp->status == 404)
                return 0;
        {
                _cleanup_free_ char *msg = error_message(resp);

                if (resp->status == 401 || resp->status == 403)
                        return step_error(ret_err, REGISTRY_STEP_AUTH, EACCES, "%s (HTTP %ld)",
                                          msg ?: "access denied", resp->status);
                return step_error(ret_err, REGISTRY_STEP_HTTP, EIO, "%s: HTTP %ld%s%s", home.host,
                                  resp->status, msg ? ": " : "", msg ?: "");
        }
}

typedef struct Buffer {
        char *data;
        size_t len, max;
} Buffer;

static int buffer_sink(void *userdata, const void *buf, size_t n)
{
        Buffer *b = userdata;

        if (n > b->max - b->len)
                return -EFBIG;
        b->data = xrealloc(b->data, b->len + n + 1);
        memcpy(b->data + b->len, buf, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

static int fetch_token(Registry *r, const char *challenge, StepError *ret_err)
{
        _cleanup_(auth_challenge_done) AuthChallenge ch = {};
        _cleanup_free_ char *url = NULL, *scope = NULL, *token = NULL, *dflt = NULL;
        Buffer body = { .max = TOKEN_BODY_MAX };
        Response resp = { .sink = buffer_sink, .userdata = &body };
        char *svc = NULL, *sc = NULL;
        int k;

        k = auth_challenge_parse(challenge, &ch);
        if (k == -EOPNOTSUPP)
                return step_error(ret_err, REGISTRY_STEP_AUTH, EACCES,
                                  "the registry wants credentials, and an anonymous pull has none");
        if (k < 0)
                return step_error(ret_err, REGISTRY_STEP_AUTH, EPROTO, "malformed challenge '%s'",
                                  challenge);

        /* the challenge names the scope; an old registry may not */
        dflt = xasprintf("repository:%s:pull", r->repository);
        if (ch.service)
                svc = curl_easy_escape(r->curl, ch.service, 0);
        sc = curl_easy_escape(r->curl, ch.scope ?: dflt, 0);
        url = xasprintf("%s%sscope=%s%s%s", ch.realm, strchr(ch.realm, '?') ? "&" : "?", sc,
                        svc ? "&service=" : "", svc ?: "");
        curl_free(svc);
        curl_free(sc);

        k = get(r, url, "application/json", &resp, ret_err);
        if (k >= 0 && (resp.status < 200 || resp.status >= 300))
                k = step_error(ret_err, REGISTRY_STEP_AUTH, EACCES, "token endpoint: HTTP %ld",
                               resp.status);
        else if (k >= 0 && auth_token_parse(body.data ?: "", body.len, &token) < 0)
                k = step_error(ret_err, REGISTRY_STEP_AUTH, EPROTO,
                               "the token endpoint's answer has no token");
        response_reset(&resp);
        free(body.data);
        if (k < 0)
                return k;
        free(r->token);
        r->token = TAKE_PTR(token);
        return 0;
}

int registry_get_manifest(Registry *r, const char *reference, size_t max, char **ret_body,
                          size_t *ret_len, char **ret_content_type, char **ret_digest,
                          StepError *ret_err)
{
        _cleanup_free_ char *path = xasprintf("/v2/%s/manifests/%s", r->repository, reference);
        Buffer body = { .max = max };
        Response resp = { .sink = buffer_sink, .userdata = &body };
        int k;

        k = get(r, path, MANIFEST_ACCEPT, &resp, ret_err);
        if (k < 0 && resp.sink_error == -EFBIG)
                k = step_error(ret_err, REGISTRY_STEP_MANIFEST, EFBIG,
                               "manifest '%s' larger than %zu bytes", reference, max);
        else if (k >= 0 && resp.status == 404) {
                _cleanup_free_ char *msg = error_message(&resp);

                /* "manifest unknown", or what else the registry says
                 * ("repository name not known to registry") */
                k = step_error(ret_err, REGISTRY_STEP_MANIFEST_UNKNOWN, ENOENT, "%s",
                               msg ?: "manifest unknown");
        }
        if (k < 0) {
                response_reset(&resp);
                free(body.data);
                return k;
        }
        *ret_body = body.data ?: xstrdup("");
        *ret_len = body.len;
        *ret_content_type = TAKE_PTR(resp.content_type);
        *ret_digest = TAKE_PTR(resp.docker_digest);
        response_reset(&resp);
        return 0;
}

typedef struct BlobSink {
        BlobWriter *w;
        int64_t size;
        Registry *r;
} BlobSink;

static int blob_sink(void *userdata, const void *buf, size_t n)
{
        BlobSink *b = userdata;
        int k;

        /* more than the manifest said: stop now, not after the whole of it */
        if (b->size >= 0 && store_blob_written(b->w) + n > (uint64_t)b->size)
                return -EMSGSIZE;
        k = store_blob_write(b->w, buf, n);
        if (k < 0)
                return k;
        if (b->r->o.progress)
                b->r->o.progress(b->r->o.progress_userdata, store_blob_written(b->w));
        return 0;
}

int registry_fetch_blob(Registry *r, Store *s, const char *digest, int64_t size, const char *what,
                        StepError *ret_err)
{
        _cleanup_free_ char *path = xasprintf("/v2/%s/blobs/%s", r->repository, digest);
        BlobSink b = { .size = size, .r = r };
        Response resp = { .sink = blob_sink, .userdata = &b };
        int k;

        k = store_blob_begin(s, digest, size, &b.w);
        if (k < 0)
                return step_error(ret_err, REGISTRY_STEP_STORE, k, "%s %s", what, digest);
        k = get(r, path, NULL, &resp, ret_err);
        if (k >= 0 && resp.status == 404)
                k = step_error(ret_err, REGISTRY_STEP_HTTP, ENOENT, "%s %s: blob unknown", what,
                               digest);
        if (k < 0 && resp.sink_error == -EMSGSIZE)
                k = step_error(ret_err, REGISTRY_STEP_SIZE, EMSGSIZE, "%s %s", what, digest);
        else if (k < 0 && resp.sink_error < 0)
                k = step_error(ret_err, REGISTRY_STEP_STORE, k, "%s %s", what, digest);
        if (k >= 0) {
                k = store_blob_commit(b.w);
                b.w = NULL; /* commit frees it, whatever it returns */
                if (k == -EBADMSG)
                        k = step_error(ret_err, REGISTRY_STEP_DIGEST, EBADMSG, "%s %s", what,
                                       digest);
                else if (k == -EMSGSIZE)
                        k = step_error(ret_err, REGISTRY_STEP_SIZE, EMSGSIZE, "%s %s", what,
                                       digest);
                else if (k < 0)
                        k = step_error(ret_err, REGISTRY_STEP_STORE, k, "%s %s", what, digest);
        }
        store_blob_abort(b.w);
        response_reset(&resp);
        return k;
}
