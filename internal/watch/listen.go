package watch

import (
	"context"
	"fmt"
	"net"
	"strings"
)

// checkLoopback refuses an address that is, or may resolve to, anything
// but loopback: an empty host (every interface), 0.0.0.0, ::, a LAN
// address, or a host name with one non-loopback address.
func checkLoopback(ctx context.Context, addr string, lookup func(context.Context, string) ([]net.IPAddr, error)) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "" {
		return fmt.Errorf("%s listens on every interface, not loopback", addr)
	}
	if ip := net.ParseIP(strings.SplitN(host, "%", 2)[0]); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%s is not a loopback address", host)
		}
		return nil
	}
	if lookup == nil {
		lookup = net.DefaultResolver.LookupIPAddr
	}
	ips, err := lookup(ctx, host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(ips) == 0 {
		return fmt.Errorf("%s resolves to no address", host)
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return fmt.Errorf("%s resolves to %s, not a loopback address", host, ip.IP)
		}
	}
	return nil
}

// boundLoopback reports whether a bound listener's address is loopback.
func boundLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// errInsecure explains why an unauthenticated endpoint was refused.
func errInsecure(why error) error {
	return fmt.Errorf("--insecure-no-auth lets anyone who can reach /events inject events, so it is allowed only on a loopback address (127.0.0.1:PORT, [::1]:PORT, localhost:PORT): %w", why)
}

// LoopbackDefault gives a host-less address (":8081", "8081") the loopback
// host, so an unauthenticated listener is local unless a host is named.
func LoopbackDefault(addr string) string {
	if !strings.Contains(addr, ":") {
		return net.JoinHostPort("127.0.0.1", addr)
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}
