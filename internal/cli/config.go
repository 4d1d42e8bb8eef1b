package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/portcullis-sec/portcullis/internal/config"
)

// configName is the file config discovery looks for.
const configName = "portcullis.yaml"

// findConfig is the one config discovery every command with --config
// uses: --config wins; else ./portcullis.yaml; else portcullis/
// portcullis.yaml in the user config folder ($XDG_CONFIG_HOME, ~/.config,
// ~/Library/Application Support, %AppData%); else "" (the defaults).
// discovered says the file was found rather than named.
func (a *App) findConfig(flag string) (path string, discovered bool, err error) {
	if flag != "" {
		return flag, false, nil
	}
	candidates := []string{configName}
	if dir := a.userConfigDir(); dir != "" {
		candidates = append(candidates, filepath.Join(dir, "portcullis", configName))
	}
	for _, c := range candidates {
		info, err := os.Stat(c)
		switch {
		case err == nil && !info.IsDir():
			return c, true, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", false, fmt.Errorf("config %s: %w", c, err)
		}
	}
	return "", false, nil
}

// loadConfig reads the config findConfig picks and names a discovered one
// on stderr (one line), so nobody wonders where an admins list came from.
func (a *App) loadConfig(flag string) (*config.Config, error) { return a.loadConfigQuiet(flag, false) }

// loadConfigQuiet is loadConfig that says nothing with quiet (-q).
func (a *App) loadConfigQuiet(flag string, quiet bool) (*config.Config, error) {
	path, discovered, err := a.findConfig(flag)
	if err != nil || path == "" {
		return config.Default(), err
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	if discovered && !quiet {
		fmt.Fprintf(a.Stderr, "portcullis: config %s (--config overrides)\n", path)
	}
	return cfg, nil
}

// userConfigDir is os.UserConfigDir through the App's environment, so
// tests and embedders decide what it sees. "" when it cannot be told.
func (a *App) userConfigDir() string {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return ""
	}
	switch runtime.GOOS {
	case "windows":
		return abs(a.Getenv("AppData"))
	case "darwin", "ios":
		if h := abs(a.Getenv("HOME")); h != "" {
			return filepath.Join(h, "Library", "Application Support")
		}
		return ""
	case "plan9":
		if h := abs(a.Getenv("home")); h != "" {
			return filepath.Join(h, "lib")
		}
		return ""
	}
	if x := abs(a.Getenv("XDG_CONFIG_HOME")); x != "" {
		return x
	}
	if h := abs(a.Getenv("HOME")); h != "" {
		return filepath.Join(h, ".config")
	}
	return ""
}
