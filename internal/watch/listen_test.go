package watch

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// lanAddress is a non-loopback address of this machine, if it has one.
func lanAddress() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// TestInsecureNoAuthOnlyOnLoopback: an unauthenticated endpoint is refused
// on any address that is or may resolve to something but loopback, before
// binding; on loopback it serves and says where after the bind.
func TestInsecureNoAuthOnlyOnLoopback(t *testing.T) {
	w := newWatcher(t, openStore(t, ""), newTestDetector(), nil)
	lookup := func(_ context.Context, host string) ([]net.IPAddr, error) {
		switch host {
		case "intranet.example":
			return []net.IPAddr{{IP: net.ParseIP("192.0.2.10")}}, nil
		case "split.example":
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}, {IP: net.ParseIP("192.0.2.11")}}, nil
		case "localhost":
			return []net.IPAddr{{IP: net.ParseIP("127.0.0.1")}}, nil
		}
		return nil, errors.New("no such host")
	}
	refused := []string{"0.0.0.0:0", "[::]:0", ":0", "intranet.example:0", "split.example:0", "nowhere.invalid:0"}
	if lan := lanAddress(); lan != "" {
		refused = append(refused, net.JoinHostPort(lan, "0"))
	}
	for _, addr := range refused {
		t.Run(addr, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			listened := false
			err := w.ListenAndServe(ctx, addr, HTTPOptions{InsecureNoAuth: true, lookupIP: lookup, OnListen: func(net.Addr) { listened = true }})
			if err == nil || !strings.Contains(err.Error(), "--insecure-no-auth") || listened {
				t.Errorf("err %v, listened %v: want a refusal before binding", err, listened)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		t.Run(addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			bound := make(chan net.Addr, 1)
			done := make(chan error, 1)
			go func() {
				done <- w.ListenAndServe(ctx, addr, HTTPOptions{InsecureNoAuth: true, lookupIP: lookup, OnListen: func(a net.Addr) { bound <- a }})
			}()
			select {
			case a := <-bound:
				if !boundLoopback(a) || strings.HasSuffix(a.String(), ":0") {
					t.Errorf("bound %v: want a loopback address with its real port", a)
				}
			case err := <-done:
				t.Fatalf("refused loopback: %v", err)
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("shutdown: %v", err)
			}
		})
	}
	// Serve checks the address a listener is really bound to.
	if lan := lanAddress(); lan != "" {
		ln, err := net.Listen("tcp", net.JoinHostPort(lan, "0"))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Serve(context.Background(), ln, HTTPOptions{InsecureNoAuth: true}); err == nil || !strings.Contains(err.Error(), "bound to") {
			t.Errorf("Serve on %s without auth: %v", ln.Addr(), err)
		}
	}
}

func TestLoopbackDefault(t *testing.T) {
	for in, want := range map[string]string{":8081": "127.0.0.1:8081", "8081": "127.0.0.1:8081", "0.0.0.0:8081": "0.0.0.0:8081", "[::1]:9": "[::1]:9"} {
		if got := LoopbackDefault(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}
