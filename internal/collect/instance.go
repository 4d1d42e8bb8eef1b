package collect

import (
	"fmt"
	"strings"

	"github.com/portcullis-sec/portcullis/internal/cloudtrail"
	"github.com/portcullis-sec/portcullis/internal/idc"
)

// OtherInstanceError is a write of another Identity Center instance than
// the model's, met during a replay: applying it would mix two instances'
// permission sets, users and grants into one state.
type OtherInstanceError struct {
	Model, Event string // the instance ARNs (or identity store ids) of each
	Kind         string // "instance" or "identity store"
	Origin       cloudtrail.Origin
	EventName    string
	EventID      string
}

func (e *OtherInstanceError) Error() string {
	return e.What() + ": replay one instance at a time (--skip-other-instances drops the others' events)"
}

// What names the event and both instances, without advice.
func (e *OtherInstanceError) What() string {
	return fmt.Sprintf("%s: record %d (%s %s) is an event of %s %s, but the model is of %s %s",
		orInput(e.Origin.File), e.Origin.Index, e.EventName, e.EventID, e.Kind, e.Event, e.Kind, e.Model)
}

func orInput(s string) string {
	if s == "" {
		return "<input>"
	}
	return s
}

// otherInstance says whether ev writes to another instance than m. An
// sso-admin write names its instanceArn; an identity-store write (public
// API or console) its identityStoreId. SCIM and organizations writes name
// neither and are never refused. An empty model takes the instance of the
// first write that names one (Apply notes the instance ARN; the identity
// store is noted here).
func otherInstance(m *idc.Model, ev *cloudtrail.Event) *OtherInstanceError {
	if ev.ErrorCode != "" || ev.ReadOnly || isRead(ev.Name) {
		return nil // reads and failed calls change nothing
	}
	mismatch := func(kind, model, event string) *OtherInstanceError {
		if model == "" || event == "" || strings.EqualFold(model, event) {
			return nil
		}
		return &OtherInstanceError{Model: model, Event: event, Kind: kind, Origin: ev.Origin, EventName: ev.Name, EventID: ev.ID}
	}
	switch ev.Source {
	case idc.SourceSSO:
		return mismatch("instance", m.InstanceARN, ev.String("requestParameters.instanceArn"))
	case idc.SourceIdentityStore, idc.SourceDirectory:
		store := ev.String("requestParameters.identityStoreId")
		if m.IdentityStoreID == "" {
			m.IdentityStoreID = store
			return nil
		}
		return mismatch("identity store", m.IdentityStoreID, store)
	}
	return nil
}

func isRead(name string) bool {
	for _, p := range []string{"List", "Describe", "Get", "Search"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}
