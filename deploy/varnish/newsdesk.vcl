vcl 4.1;
#
# Varnish in front of Newsdesk (README "Behind a CDN"). Varnish 7.1+ with the xkey vmod
# (Debian: apt-get install varnish varnish-modules). Run it with, for example:
#
#   varnishd -F -a :6081 -T none -n /var/lib/varnish/newsdesk -f /etc/varnish/newsdesk.vcl -s malloc,256m
#
# and point Newsdesk at it: CDN_PURGE_URLS=http://127.0.0.1:6081/ (purges come from the app's
# worker as HTTP PURGE requests, see below). Check a change with `varnishd -C -f newsdesk.vcl`.
#
# What it does:
# - caches anonymous GET and HEAD for as long as the app's Surrogate-Control says
#   (CDN_MAX_AGE_SECONDS), tagging each object with the answer's Surrogate-Key;
# - never stores nor answers from the cache a request carrying credentials: an Authorization
#   header, a Cookie, or a token or key in the query (partner feeds take `?token=ndf_…`, mail
#   links `?token=…`). The app answers those `private, no-store` anyway; this is the second lock;
# - honours the worker's purges: `PURGE` with `xkey: k1 k2` drops those objects (unpublish,
#   delete, expiry: never served again), with `xkey-softpurge: k1 k2` marks them stale (edits,
#   publishes: the next reader may get the old copy while a fresh one is fetched), only from the
#   `purgers` ACL;
# - keeps grace: a stale copy is served while it is refreshed for the app's stale-while-revalidate,
#   and for its stale-if-error (CDN_STALE_IF_ERROR_SECONDS) while the app is down or failing.
# Responses say what happened in `X-Cache`: HIT, HIT-STALE (graced), MISS or PASS.

import std;
import xkey;

# The Newsdesk origin: where `npm start` listens (HOST/PORT, 3000 by default). To change it, edit
# .host and .port (a name resolves once, when the VCL loads), then reload the VCL or restart varnishd.
backend newsdesk {
    .host = "127.0.0.1";
    .port = "3000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
    .between_bytes_timeout = 10s;
    # Liveness: when it fails, stale copies are served for as long as stale-if-error allows.
    .probe = {
        .url = "/healthz";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;
    }
}

# Who may purge: the Newsdesk nodes (add their addresses if they run on other machines).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Flags below are this VCL's own, carried across restarts only: never a client's.
    if (req.restarts == 0) {
        unset req.http.X-Newsdesk-Grace;
        unset req.http.X-Newsdesk-Stale-Ok;
        unset req.http.X-Newsdesk-Pass;
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey) {
            set req.http.X-Newsdesk-Gone = xkey.purge(req.http.xkey);
        } elsif (req.http.xkey-softpurge) {
            set req.http.X-Newsdesk-Gone = xkey.softpurge(req.http.xkey-softpurge);
        } else {
            return (synth(400, "Send the keys in xkey or xkey-softpurge"));
        }
        return (synth(200, "Invalidated " + req.http.X-Newsdesk-Gone + " objects"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        # Writes and anything else go straight to the app, never cached.
        set req.http.X-Newsdesk-Pass = "1";
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ||
        req.url ~ "(?i)[?&](token|key|api_?key|access_token|secret|signature)=") {
        # Credentials: the answer is this caller's own.
        set req.http.X-Newsdesk-Pass = "1";
        return (pass);
    }

    if (req.http.X-Newsdesk-Stale-Ok) {
        # The app failed this request: any copy still within its grace (stale-if-error) will do.
    } elsif (req.http.X-Newsdesk-Grace) {
        # The app is up: stale only within its stale-while-revalidate (see vcl_hit).
        set req.grace = std.duration(req.http.X-Newsdesk-Grace, 0s);
    }
    # No normalisation of the URL: the app treats unknown parameters as errors, so each URL is
    # one answer.
    return (hash);
}

sub vcl_hit {
    # A copy past its TTL is within beresp.grace, which is the longer stale-if-error. While the
    # app is healthy, only the stale-while-revalidate part of it may be served: past that, look
    # again with that grace, which misses and fetches in the foreground.
    if (obj.ttl <= 0s && !req.http.X-Newsdesk-Stale-Ok && !req.http.X-Newsdesk-Grace &&
        obj.http.X-Newsdesk-SWR && std.healthy(req.backend_hint) &&
        obj.ttl + std.duration(obj.http.X-Newsdesk-SWR, 0s) < 0s) {
        set req.http.X-Newsdesk-Grace = obj.http.X-Newsdesk-SWR;
        return (restart);
    }
}

sub vcl_backend_fetch {
    unset bereq.http.X-Newsdesk-Grace;
    unset bereq.http.X-Newsdesk-Stale-Ok;
    unset bereq.http.X-Newsdesk-Pass;
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        # Failing: a background refresh keeps the stale copy; a foreground one is not stored
        # (vcl_deliver then looks for a stale copy).
        if (bereq.is_bgfetch) {
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (bereq.uncacheable) {
        return (deliver);
    }
    # xkey reads the keys from `xkey`; the app names them in Surrogate-Key.
    if (beresp.http.Surrogate-Key) {
        set beresp.http.xkey = beresp.http.Surrogate-Key;
    }
    # The app's Surrogate-Control is addressed to us: max-age is our TTL; grace covers the longer
    # of stale-while-revalidate and stale-if-error; the former is kept to bound grace while the
    # app is healthy (vcl_hit). Only on a public answer: private/no-store answers stay uncached
    # (the builtin rules below make them hit-for-miss).
    if (beresp.http.Surrogate-Control ~ "(^|[ ,])max-age=[0-9]+" &&
        beresp.http.Cache-Control !~ "(?i)(private|no-store|no-cache)") {
        set beresp.ttl = std.duration(regsub(beresp.http.Surrogate-Control, "^(.*[ ,])?max-age=([0-9]+).*$", "\2s"), 0s);
        set beresp.grace = 0s;
        if (beresp.http.Surrogate-Control ~ "stale-while-revalidate=[0-9]+") {
            set beresp.http.X-Newsdesk-SWR = regsub(beresp.http.Surrogate-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s");
            set beresp.grace = std.duration(beresp.http.X-Newsdesk-SWR, 0s);
        } else {
            set beresp.http.X-Newsdesk-SWR = "0s";
        }
        if (beresp.http.Surrogate-Control ~ "stale-if-error=[0-9]+" &&
            std.duration(regsub(beresp.http.Surrogate-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s) > beresp.grace) {
            set beresp.grace = std.duration(regsub(beresp.http.Surrogate-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
        }
        # A soft-purged copy may be revalidated with If-None-Match (the app's ETags) for a while.
        set beresp.keep = 1h;
    } else {
        # Only what the app addresses to us is stored: without Surrogate-Control Varnish would keep
        # a 404 (or any answer without Cache-Control) its default_ttl, untagged, so no purge could
        # retire it (a story read before it goes live would stay missing).
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Falls through to the builtin rules: Set-Cookie, Cache-Control private/no-store, Vary: * and
    # a zero TTL are never stored.
}

sub vcl_backend_error {
    # The app is unreachable: a background refresh keeps the stale copy.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    # The app failed (5xx, or unreachable): serve a stale copy within stale-if-error, if any.
    if (resp.status >= 500 && !req.http.X-Newsdesk-Stale-Ok && !req.http.X-Newsdesk-Pass &&
        (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Newsdesk-Stale-Ok = "1";
        return (restart);
    }
    if (req.http.X-Newsdesk-Pass || obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        if (obj.ttl <= 0s) {
            set resp.http.X-Cache = "HIT-STALE";
        } else {
            set resp.http.X-Cache = "HIT";
        }
    } else {
        set resp.http.X-Cache = "MISS";
    }
    if (resp.http.X-Newsdesk-SWR) {
        # The browser's max-age (Cache-Control, short) counts from now: our copy is kept current by
        # purges, so its age in our cache says nothing about how stale it is.
        set resp.http.Age = "0";
    }
    # Addressed to this cache, not to browsers.
    unset resp.http.xkey;
    unset resp.http.X-Newsdesk-SWR;
    unset resp.http.Surrogate-Control;
    unset resp.http.Surrogate-Key;
}

sub vcl_synth {
    # The app failed and Varnish answered for it: a stale copy within stale-if-error, if any.
    if (resp.status >= 500 && !req.http.X-Newsdesk-Stale-Ok && !req.http.X-Newsdesk-Pass &&
        (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Newsdesk-Stale-Ok = "1";
        return (restart);
    }
}
