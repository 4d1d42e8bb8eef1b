package serve

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

// NewToken returns a random access token (256 bits, URL-safe).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Session limits: a session lives sessionTTL; at most maxSessions are kept
// (the oldest go first), so repeated logins cannot grow memory.
const (
	sessionTTL  = 12 * time.Hour
	maxSessions = 256
	csrfHeader  = "X-CSRF-Token"
)

type session struct {
	csrf    string
	expires time.Time
}

// auth holds the token and the sessions it was exchanged for.
type auth struct {
	token  []byte
	secure bool
	cookie string
	now    func() time.Time

	mu       sync.Mutex
	sessions map[string]*session
}

func newAuth(token string, secure bool, now func() time.Time) *auth {
	name := "portcullis_session"
	if secure {
		name = "__Host-portcullis_session" // Secure, Path=/, no Domain: the browser enforces it
	}
	return &auth{token: []byte(token), secure: secure, cookie: name, now: now, sessions: map[string]*session{}}
}

// tokenOK compares in constant time (no early exit on the first
// differing byte, so timing tells nothing about the token).
func (a *auth) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), a.token) == 1
}

func (a *auth) newSession() (id string, s *session, err error) {
	if id, err = NewToken(); err != nil {
		return "", nil, err
	}
	csrf, err := NewToken()
	if err != nil {
		return "", nil, err
	}
	now := a.now()
	s = &session{csrf: csrf, expires: now.Add(sessionTTL)}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, v := range a.sessions {
		if now.After(v.expires) {
			delete(a.sessions, k)
		}
	}
	for len(a.sessions) >= maxSessions {
		var oldest string
		for k, v := range a.sessions {
			if oldest == "" || v.expires.Before(a.sessions[oldest].expires) {
				oldest = k
			}
		}
		delete(a.sessions, oldest)
	}
	a.sessions[id] = s
	return id, s, nil
}

// lookup finds the session of a request's cookie.
func (a *auth) lookup(r *http.Request) (string, *session) {
	c, err := r.Cookie(a.cookie)
	if err != nil || c.Value == "" {
		return "", nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	s, ok := a.sessions[c.Value]
	if !ok {
		return "", nil
	}
	if a.now().After(s.expires) {
		delete(a.sessions, c.Value)
		return "", nil
	}
	return c.Value, s
}

// who is how a request authenticated.
type who struct {
	bearer bool
	sess   *session
}

// authenticate accepts a bearer token or a session cookie. A request that
// sends an Authorization header is judged on it alone.
func (a *auth) authenticate(r *http.Request) (who, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		return who{bearer: true}, ok && a.tokenOK(strings.TrimSpace(t))
	}
	if _, s := a.lookup(r); s != nil {
		return who{sess: s}, true
	}
	return who{}, false
}

type whoKey struct{}

// api guards the JSON API: authentication on every request, and on
// writes made with a cookie the CSRF token and a same-origin check.
// Bearer requests need no CSRF token: a browser cannot send an
// Authorization header cross-site without CORS, which we never enable.
func (a *auth) api(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		wh, ok := a.authenticate(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "not authenticated: open the /login link portcullis serve printed, or send Authorization: Bearer TOKEN")
			return
		}
		if !safeMethod(r.Method) && !wh.bearer {
			if msg := crossSite(r); msg != "" {
				writeError(w, http.StatusForbidden, "cross-site request refused: %s", msg)
				return
			}
			got := r.Header.Get(csrfHeader)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(wh.sess.csrf)) != 1 {
				writeError(w, http.StatusForbidden, "missing or wrong %s header (get it from GET /api/v1/session)", csrfHeader)
				return
			}
		}
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r.WithContext(withWho(r.Context(), wh)))
	})
}

// maxBodyBytes bounds a write's body (a note is a few lines).
const maxBodyBytes = 16 << 10

func safeMethod(m string) bool { return m == http.MethodGet || m == http.MethodHead }

// crossSite explains why a cookie-authenticated write does not come from
// our own pages, or returns "". Browsers send Sec-Fetch-Site and Origin on
// every POST; a client that sends neither still needs the CSRF token.
func crossSite(r *http.Request) string {
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" && sfs != "same-origin" {
		return "Sec-Fetch-Site is " + sfs
	}
	if o := r.Header.Get("Origin"); o != "" && o != selfOrigin(r) {
		return "Origin " + o + " is not " + selfOrigin(r)
	}
	return ""
}

func selfOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// page guards an HTML page: without a session, go log in.
func (a *auth) page(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, s := a.lookup(r); s == nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// loginPage exchanges ?token= for a session cookie, or shows the form.
func (a *auth) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	t := r.URL.Query().Get("token")
	if t == "" {
		renderLogin(w, http.StatusOK, "")
		return
	}
	a.login(w, r, t)
}

// loginForm takes the token from a form POST (kept out of the URL, the
// history and the logs).
func (a *auth) loginForm(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if msg := crossSite(r); msg != "" {
		renderLogin(w, http.StatusForbidden, "Cross-site login refused.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		renderLogin(w, http.StatusBadRequest, "Could not read the form.")
		return
	}
	a.login(w, r, r.PostForm.Get("token"))
}

func (a *auth) login(w http.ResponseWriter, r *http.Request, token string) {
	if !a.tokenOK(token) {
		renderLogin(w, http.StatusUnauthorized, "Wrong token. Use the one portcullis serve printed when it started.")
		return
	}
	id, _, err := a.newSession()
	if err != nil {
		renderLogin(w, http.StatusInternalServerError, "Could not start a session.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: a.cookie, Value: id, Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL.Seconds()),
	})
	// Drop the token from the address bar (and so from the history).
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logout ends the session (a same-origin form POST from the pages).
func (a *auth) logout(w http.ResponseWriter, r *http.Request) {
	if msg := crossSite(r); msg != "" {
		writeError(w, http.StatusForbidden, "cross-site request refused: %s", msg)
		return
	}
	if id, _ := a.lookup(r); id != "" {
		a.mu.Lock()
		delete(a.sessions, id)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: a.cookie, Value: "", Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
