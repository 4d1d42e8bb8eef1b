package simulate

// Directory, identity-source and settings stories.
//
// Shapes not confirmed by a real record (documented guesses, kept plausible):
//   - sso-directory CreateUser answers {"user":{"userId",…}} with attributes
//     redacted, like CreateGroup answers {"group":{"groupId",…}}.
//   - SCIM PatchGroup: requestParameters {"groupId","tenantId","httpBody":
//     {"schemas":[PatchOp],"Operations":[…]}}; AWS documents SCIM records with
//     httpBody and tenantId, and the group id is the URL path parameter.
//   - UpdateExternalIdPConfigurationForDirectory, ImportExternalIdPCertificate,
//     CreateBearerToken, PutMfaDeviceManagementForDirectory and
//     DeleteMfaDeviceForUser are console APIs logged here as sso-directory with
//     directoryId = the identity store id; their bodies are not documented.
//     PutMfaDeviceManagementForDirectory's IAM action is sso:…, so real
//     records may say sso.amazonaws.com; rules should accept both sources.
//   - UpdateSsoConfiguration (sso.amazonaws.com) carries the setting type and
//     value flat: {"instanceArn","type":"SESSION","maxAuthenticationAge"}.

const patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// backdoorUser: a new directory user dropped into a privileged group from the console.
func (p *planter) backdoorUser(t int64) {
	o, a := p.org, p.org.attackerWeb
	uid := o.storeID[2:] + "-" + newUUID(p.g.rng)
	cd := p.consoleDate(t)
	p.step("idc.directory.user-created", p.idc(t, a, srcDir, "CreateUser",
		jobj("identityStoreId", o.storeID, "userName", redacted, "name", jobj("givenName", redacted, "familyName", redacted),
			"displayName", redacted, "emails", jarr(jobj("value", redacted, "type", "work", "primary", true))),
		jobj("user", jobj("userId", uid, "userName", redacted, "active", true,
			"meta", jobj("createdAt", cd, "updatedAt", cd, "createdBy", o.mgmt.id, "updatedBy", o.mgmt.id)))))
	rc := p.idc(t+60+p.g.rng.Int64N(60), a, srcDir, "AddMemberToGroup",
		jobj("identityStoreId", o.storeID, "groupId", o.groupByName("PlatformAdmins").id, "member", jobj("memberId", uid)), nil)
	p.step("idc.directory.privileged-group-member-added", rc)
	p.step("idc.chain.backdoor-user", rc)
}

// groupViaAPI: a leaked IAM key adds an existing user to a privileged group.
func (p *planter) groupViaAPI(t int64) {
	o := p.org
	p.idcCall(t-90, o.legacyCI, srcStore, "ListGroups", jobj("identityStoreId", o.storeID, "maxResults", 100), nil, true)
	p.step("idc.directory.privileged-group-member-added", p.idc(t, o.legacyCI, srcStore, "CreateGroupMembership",
		jobj("identityStoreId", o.storeID, "groupId", o.groupByName("SecurityAdmins").id, "memberId", jobj("userId", o.mallory.id)),
		jobj("membershipId", newUUID(p.g.rng), "identityStoreId", o.storeID)))
}

// groupViaSCIM: a SCIM client adds mallory to the break-glass group.
func (p *planter) groupViaSCIM(t int64) {
	o := p.org
	body := jobj("schemas", jarr(patchOp), "Operations", jarr(jobj("op", "add", "path", "members", "value", jarr(jobj("value", o.mallory.id)))))
	p.step("idc.directory.privileged-group-member-added", p.idc(t, o.scimClient, srcSCIM, "PatchGroup",
		jobj("groupId", o.groupByName("BreakGlass").id, "tenantId", o.tenantID, "httpBody", body), nil))
}

func (p *planter) identitySource(t int64) {
	o, a := p.org, p.org.attackerWeb
	cfgID := newUUID(p.g.rng)
	p.step("idc.identity-source.changed", p.idc(t, a, srcDir, "UpdateExternalIdPConfigurationForDirectory",
		jobj("directoryId", o.storeID, "externalIdPConfigurationId", cfgID, "externalIdPConfiguration",
			jobj("idpEntityId", "https://sts.login-acme.example.net/adfs/services/trust", "idpSsoUrl", "https://sts.login-acme.example.net/adfs/ls/",
				"metadataDocument", redacted)), nil))
	p.step("idc.identity-source.changed", p.idc(t+45, a, srcDir, "ImportExternalIdPCertificate",
		jobj("directoryId", o.storeID, "externalIdPConfigurationId", cfgID, "certificate", redacted),
		jobj("certificateId", newUUID(p.g.rng), "notAfter", p.consoleDate(t+365*86400))))
}

func (p *planter) scimToken(t int64) {
	o := p.org
	p.step("idc.identity-source.scim-token-created", p.idc(t, o.attackerWeb, srcDir, "CreateBearerToken",
		jobj("directoryId", o.storeID), jobj("tokenId", newUUID(p.g.rng), "token", redacted, "expiresOn", p.consoleDate(t+365*86400))))
}

func (p *planter) mfaWeakened(t int64) {
	o, a := p.org, p.org.attackerWeb
	p.step("idc.settings.mfa-weakened", p.idc(t, a, srcDir, "PutMfaDeviceManagementForDirectory",
		jobj("directoryId", o.storeID, "instanceArn", o.instanceArn, "mfaDeviceManagement",
			jobj("mfaMode", "DISABLED", "noMfaSignInBehavior", "ALLOWED_SIGN_IN", "allowedMfaTypes", jarr("TOTP", "WEBAUTHN"),
				"usersCanManageDevices", true)), nil))
	p.step("idc.settings.mfa-weakened", p.idc(t+70, a, srcDir, "DeleteMfaDeviceForUser",
		jobj("directoryId", o.storeID, "userId", o.users[4].id, "mfaDeviceId", newUUID(p.g.rng)), nil))
}

func (p *planter) portalSession(t int64) {
	o := p.org
	p.step("idc.settings.portal-session-extended", p.idc(t, o.attackerWeb, srcSSO, "UpdateSsoConfiguration",
		jobj("instanceArn", o.instanceArn, "type", "SESSION", "maxAuthenticationAge", "PT168H"), nil))
}

func (p *planter) delegatedAdmin(t int64) {
	o := p.org
	target := o.prod
	for _, a := range o.accounts {
		if !a.sensitive {
			target = a
			break
		}
	}
	p.step("idc.delegated-admin.registered", p.idc(t, o.legacyCI, srcOrgs, "RegisterDelegatedAdministrator",
		jobj("accountId", target.id, "servicePrincipal", "sso.amazonaws.com"), nil))
}

func (p *planter) groupCreated(t int64) {
	o := p.org
	p.step("idc.directory.group-created", p.idc(t, o.legacyCI, srcStore, "CreateGroup",
		jobj("identityStoreId", o.storeID, "displayName", redacted, "description", redacted),
		jobj("groupId", newUUID(p.g.rng), "identityStoreId", o.storeID)))
}
