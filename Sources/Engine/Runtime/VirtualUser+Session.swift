import CCurl
import Glibc

/// What of a user's session lives on its easy handle: the cookie engine, redirect options and basic
/// credentials. Owned by the user's engine thread like the rest of the user (no lock, no shared jar:
/// libcurl keeps cookies per easy handle unless a share handle joins them, and none does here).
final class UserSession {
    /// True once CURLOPT_COOKIEFILE "" turned libcurl's cookie engine on for this handle.
    var cookieEngineOn = false
    /// True once redirects were limited to http and https on this handle.
    var redirectsLimited = false
    /// True while CURLOPT_USERNAME/PASSWORD hold credentials of some step.
    var credentialsSet = false
    /// The credentials last handed to libcurl, `user NUL password`, and the scratch the next ones are
    /// rendered into: libcurl copies them on every set, so they are set only when they change.
    var lastCredentials = RenderBuffer(capacity: 64)
    var scratch = RenderBuffer(capacity: 64)
}

extension VirtualUser {
    /// A fresh session for a (re)started user: an empty cookie jar, or none when `cookies: false`.
    func resetSession(cookies: Bool) {
        guard cookies else { return }
        if session.cookieEngineOn {
            // The jar of the user this slot ran before: a restarted user starts logged out.
            ccurl_easy_setopt_str(easy, CURLOPT_COOKIELIST, "ALL")
        } else {
            // An empty file name turns the engine on without reading any file.
            ccurl_easy_setopt_str(easy, CURLOPT_COOKIEFILE, "")
            session.cookieEngineOn = true
        }
    }

    /// Redirect options of a step: set when the user's handle moves to another step (they are sticky).
    func configureRedirects(_ request: RequestPlan) {
        let follow = request.session.followRedirects
        ccurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, follow ? 1 : 0)
        guard follow else { return }
        ccurl_easy_setopt_long(easy, CURLOPT_MAXREDIRS, RequestSession.maxRedirects)
        if !session.redirectsLimited {
            // libcurl 7.x also follows a Location to ftp:// and ftps://: a target must not send a
            // load test to another protocol.
            ccurl_easy_setopt_str(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
            session.redirectsLimited = true
        }
    }

    /// Sets (or clears) basic credentials for the request about to be sent. Renders them into a
    /// scratch buffer and hands them to libcurl only when they differ from the last ones, so a user
    /// sending the same credentials again costs a render and a compare, no allocation.
    func applyCredentials(_ request: RequestPlan, random: inout FastRandom) {
        guard let auth = request.session.basicAuth else {
            guard session.credentialsSet else { return }
            ccurl_easy_setopt_ptr(easy, CURLOPT_USERNAME, nil)
            ccurl_easy_setopt_ptr(easy, CURLOPT_PASSWORD, nil)
            ccurl_easy_setopt_long(easy, CURLOPT_HTTPAUTH, ccurl_auth_basic)
            session.credentialsSet = false
            session.lastCredentials.removeAll()
            return
        }
        let scratch = session.scratch
        scratch.removeAll()
        TemplateRenderer.render(auth.user, into: scratch, user: values, random: &random)
        let userLength = scratch.count
        scratch.append(0)
        TemplateRenderer.render(auth.password, into: scratch, user: values, random: &random)
        if session.credentialsSet && scratch.sameBytes(as: session.lastCredentials) { return }
        swap(&session.scratch, &session.lastCredentials)
        let stored = session.lastCredentials
        // `mutableCString` NUL-terminates the password; the user name ends at the NUL appended above.
        let text = stored.mutableCString
        ccurl_easy_setopt_long(easy, CURLOPT_HTTPAUTH, ccurl_auth_basic)
        ccurl_easy_setopt_ptr(easy, CURLOPT_USERNAME, text)
        ccurl_easy_setopt_ptr(easy, CURLOPT_PASSWORD, text + userLength + 1)
        session.credentialsSet = true
    }
}

extension RenderBuffer {
    /// True when both hold the same bytes.
    func sameBytes(as other: RenderBuffer) -> Bool {
        count == other.count && (count == 0 || memcmp(base, other.base, count) == 0)
    }
}
