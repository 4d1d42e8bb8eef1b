package finding

// UnknownActor is how every output names an actor the record does not
// identify.
const UnknownActor = "unknown"

// Label names the actor for a person, most specific first: the name, the
// ARN, the Identity Center user id, else UnknownActor.
func (a Actor) Label() string {
	for _, s := range []string{a.Name, a.ARN, a.UserID} {
		if s != "" {
			return s
		}
	}
	return UnknownActor
}
