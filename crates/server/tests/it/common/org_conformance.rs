//! The conformance suite of `OrgStore` (organizations, accounts, invites, organizer sessions;
//! invariants in `crates/server/src/store/orgs.rs`), run against both stores by
//! `store_conformance_tests!` (in `store_conformance.rs`) with the rest of the contract.
//!
//! Same portability rules: fresh random ids, e-mail addresses and tokens in every check, so
//! checks can share one database and run side by side; whole-microsecond timestamps.

use std::sync::Arc;

use borgermode_domain::MeetingId;
use borgermode_server::store::orgs::{
    AcceptOutcome, AccountId, AccountRecord, AccountSessionRecord, InviteRecord, Logo, NewAccount,
    OrgId, OrganizationRecord, DEFAULT_ORGANIZATION,
};
use borgermode_server::store::Store;
use chrono::Duration;
use uuid::Uuid;

use super::store_conformance::{create_meeting, meeting_with_posts, now};

fn org(name: &str) -> OrganizationRecord {
    OrganizationRecord {
        id: OrgId(Uuid::new_v4()),
        name: name.to_owned(),
        primary_color: Some("#0b5cad".into()),
        accent_color: None,
        privacy_contact: Some("dpo@kommune.dk".into()),
        logo_type: None,
        logo_version: 0,
        created_at: now(),
    }
}

async fn new_org(store: &dyn Store, name: &str) -> OrganizationRecord {
    let o = org(name);
    store
        .create_organization(o.clone())
        .await
        .expect("create organization");
    o
}

fn email() -> String {
    format!("{}@kommune.dk", Uuid::new_v4().simple())
}

fn token() -> String {
    format!("hash-{}", Uuid::new_v4().simple())
}

fn new_account(email: &str) -> NewAccount {
    NewAccount {
        id: AccountId(Uuid::new_v4()),
        email: email.to_owned(),
        display_name: "Birte Borgmester".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at: now(),
    }
}

async fn invite(store: &dyn Store, org: OrgId, valid: Duration) -> String {
    let hash = token();
    store
        .put_invite(InviteRecord {
            token_hash: hash.clone(),
            organization: org,
            created_at: now(),
            expires_at: now() + valid,
            used_at: None,
        })
        .await
        .expect("put invite");
    hash
}

/// A fresh account in `org`, through an invite.
async fn account_in(store: &dyn Store, org: OrgId) -> AccountRecord {
    let inv = invite(store, org, Duration::hours(1)).await;
    match store
        .accept_invite(&inv, now(), new_account(&email()))
        .await
        .expect("accept")
    {
        AcceptOutcome::Accepted(a) => a,
        other => panic!("accept: {other:?}"),
    }
}

pub async fn organizations_create_get_list_update(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let a = new_org(store, "Aarhus Kommune").await;
    let b = new_org(store, "Billund Kommune").await;
    assert_eq!(
        store.organization(a.id).await.expect("get"),
        Some(a.clone())
    );
    assert_eq!(
        store
            .organization(OrgId(Uuid::new_v4()))
            .await
            .expect("get"),
        None
    );

    let all = store.organizations().await.expect("list");
    let pos = |id: OrgId| all.iter().position(|o| o.id == id);
    let (pa, pb) = (pos(a.id).expect("a listed"), pos(b.id).expect("b listed"));
    assert!(pa < pb, "oldest first");
    let default = all
        .iter()
        .find(|o| o.id == DEFAULT_ORGANIZATION)
        .expect("the migration creates the default organization");
    assert_eq!(default.name, "borgermode");

    let mut changed = a.clone();
    changed.name = "Aarhus".into();
    changed.primary_color = None;
    changed.accent_color = Some("#123456".into());
    changed.privacy_contact = Some("https://aarhus.dk/privatliv".into());
    assert!(store.update_organization(&changed).await.expect("update"));
    assert_eq!(store.organization(a.id).await.expect("get"), Some(changed));
    assert_eq!(store.organization(b.id).await.expect("get"), Some(b));
    let mut ghost = org("Ghost");
    ghost.name = "nobody".into();
    assert!(!store.update_organization(&ghost).await.expect("update"));
}

pub async fn logos_set_read_clear(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let a = new_org(store, "Logo Kommune").await;
    assert_eq!(store.logo(a.id).await.expect("logo"), None);
    let png = Logo {
        content_type: "image/png".into(),
        bytes: b"\x89PNG\r\n\x1a\n\0\x01\x02\xff".to_vec(),
    };
    assert!(store.set_logo(a.id, Some(png.clone())).await.expect("set"));
    assert_eq!(store.logo(a.id).await.expect("logo"), Some(png));
    let rec = store
        .organization(a.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(rec.logo_type.as_deref(), Some("image/png"));
    assert_eq!(rec.logo_version, 1);

    assert!(store.set_logo(a.id, None).await.expect("clear"));
    assert_eq!(store.logo(a.id).await.expect("logo"), None);
    let rec = store
        .organization(a.id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(rec.logo_type, None);
    assert_eq!(rec.logo_version, 2, "every change moves the version");
    assert!(!store
        .set_logo(OrgId(Uuid::new_v4()), None)
        .await
        .expect("unknown"));
}

pub async fn meetings_belong_to_one_organization(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let a = new_org(store, "A Kommune").await;
    let b = new_org(store, "B Kommune").await;

    // Assigned first, then created: the order of `POST /api/meetings`.
    let ma1 = MeetingId(Uuid::new_v4());
    let mb = MeetingId(Uuid::new_v4());
    let ma2 = MeetingId(Uuid::new_v4());
    store.assign_meeting(ma1, a.id).await.expect("assign");
    store.assign_meeting(mb, b.id).await.expect("assign");
    store.assign_meeting(ma2, a.id).await.expect("assign");
    for m in [ma1, mb, ma2] {
        create_meeting(store, m).await;
    }
    // A meeting without an assignment (from before organizations) is the default's.
    let (legacy, _) = meeting_with_posts(store, 0).await;
    // Assigned but never created (creation failed): listed nowhere.
    let ghost = MeetingId(Uuid::new_v4());
    store.assign_meeting(ghost, a.id).await.expect("assign");

    assert_eq!(store.meeting_organization(ma1).await.expect("org"), a.id);
    assert_eq!(store.meeting_organization(mb).await.expect("org"), b.id);
    assert_eq!(
        store.meeting_organization(legacy).await.expect("org"),
        DEFAULT_ORGANIZATION
    );
    assert_eq!(
        store.organization_meetings(a.id).await.expect("list"),
        vec![ma1, ma2],
        "A's meetings, oldest first, and nothing else"
    );
    assert_eq!(
        store.organization_meetings(b.id).await.expect("list"),
        vec![mb]
    );
    let default = store
        .organization_meetings(DEFAULT_ORGANIZATION)
        .await
        .expect("list");
    assert!(default.contains(&legacy));
    assert!(!default.iter().any(|m| [ma1, ma2, mb, ghost].contains(m)));

    // A meeting never changes organization.
    store.assign_meeting(ma1, b.id).await.expect("reassign");
    assert_eq!(store.meeting_organization(ma1).await.expect("org"), a.id);
    assert!(!store
        .organization_meetings(b.id)
        .await
        .expect("list")
        .contains(&ma1));
}

pub async fn invites_are_single_use_and_expire(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let a = new_org(store, "Invite Kommune").await;
    let inv = invite(store, a.id, Duration::hours(24)).await;
    let stored = store.invite(&inv).await.expect("invite").expect("exists");
    assert_eq!(stored.organization, a.id);
    assert_eq!(stored.used_at, None);

    let first = email();
    let account = match store
        .accept_invite(&inv, now(), new_account(&first))
        .await
        .expect("accept")
    {
        AcceptOutcome::Accepted(acc) => acc,
        other => panic!("first use: {other:?}"),
    };
    assert_eq!(account.organization, a.id);
    assert_eq!(account.email, first);
    assert_eq!(
        store.account_by_email(&first).await.expect("by email"),
        Some(account.clone())
    );
    assert!(store
        .invite(&inv)
        .await
        .expect("invite")
        .expect("kept")
        .used_at
        .is_some());
    assert_eq!(
        store
            .accept_invite(&inv, now(), new_account(&email()))
            .await
            .expect("again"),
        AcceptOutcome::Used
    );

    let expired = invite(store, a.id, Duration::seconds(-1)).await;
    assert_eq!(
        store
            .accept_invite(&expired, now(), new_account(&email()))
            .await
            .expect("expired"),
        AcceptOutcome::Expired
    );
    // Expiry is judged at the `now` given: valid a moment before it ends, not at its end.
    let ends = invite(store, a.id, Duration::hours(1)).await;
    let end = store
        .invite(&ends)
        .await
        .expect("get")
        .expect("exists")
        .expires_at;
    assert_eq!(
        store
            .accept_invite(&ends, end, new_account(&email()))
            .await
            .expect("at end"),
        AcceptOutcome::Expired
    );
    assert!(matches!(
        store
            .accept_invite(&ends, end - Duration::seconds(1), new_account(&email()))
            .await
            .expect("before end"),
        AcceptOutcome::Accepted(_)
    ));
    assert_eq!(
        store
            .accept_invite(&token(), now(), new_account(&email()))
            .await
            .expect("unknown"),
        AcceptOutcome::Unknown
    );

    // A taken e-mail address leaves the invite unused, for a second try.
    let other = invite(store, a.id, Duration::hours(1)).await;
    assert_eq!(
        store
            .accept_invite(&other, now(), new_account(&first))
            .await
            .expect("taken"),
        AcceptOutcome::EmailTaken
    );
    assert_eq!(
        store
            .invite(&other)
            .await
            .expect("get")
            .expect("kept")
            .used_at,
        None
    );
    assert!(matches!(
        store
            .accept_invite(&other, now(), new_account(&email()))
            .await
            .expect("retry"),
        AcceptOutcome::Accepted(_)
    ));
    assert_eq!(store.account_by_email(&email()).await.expect("none"), None);
}

pub async fn concurrent_accepts_of_one_invite_create_one_account(store: Arc<dyn Store>) {
    let a = new_org(store.as_ref(), "Race Kommune").await;
    let inv = invite(store.as_ref(), a.id, Duration::hours(1)).await;
    let emails: Vec<String> = (0..8).map(|_| email()).collect();
    let tasks: Vec<_> = emails
        .iter()
        .map(|e| {
            let (store, inv, e) = (store.clone(), inv.clone(), e.clone());
            tokio::spawn(async move { store.accept_invite(&inv, now(), new_account(&e)).await })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        match t.await.expect("task").expect("accept") {
            AcceptOutcome::Accepted(_) => accepted += 1,
            AcceptOutcome::Used => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(accepted, 1, "one invite, one account");
    let mut found = 0;
    for e in &emails {
        if store.account_by_email(e).await.expect("lookup").is_some() {
            found += 1;
        }
    }
    assert_eq!(found, 1);
}

fn session(account: AccountId, valid: Duration) -> AccountSessionRecord {
    AccountSessionRecord {
        token_hash: token(),
        account,
        created_at: now(),
        expires_at: now() + valid,
    }
}

pub async fn account_sessions_expire_and_end_everywhere(store: Arc<dyn Store>) {
    let store = store.as_ref();
    let a = new_org(store, "Session Kommune").await;
    let anna = account_in(store, a.id).await;
    let bo = account_in(store, a.id).await;

    let laptop = session(anna.id, Duration::hours(8));
    let phone = session(anna.id, Duration::hours(8));
    let stale = session(anna.id, Duration::seconds(-1));
    let bos = session(bo.id, Duration::hours(8));
    for s in [&laptop, &phone, &stale, &bos] {
        store
            .put_account_session(s.clone())
            .await
            .expect("put session");
    }
    let t = now();
    assert_eq!(
        store
            .account_session(&laptop.token_hash, t)
            .await
            .expect("get"),
        Some(anna.clone())
    );
    assert_eq!(
        store
            .account_session(&stale.token_hash, t)
            .await
            .expect("get"),
        None,
        "expired sessions are never returned"
    );
    assert_eq!(
        store
            .account_session(&laptop.token_hash, laptop.expires_at)
            .await
            .expect("get"),
        None,
        "a session ends at its expiry"
    );
    assert_eq!(store.account_session(&token(), t).await.expect("get"), None);

    // Sign out: one session.
    store
        .delete_account_session(&phone.token_hash)
        .await
        .expect("delete");
    assert_eq!(
        store
            .account_session(&phone.token_hash, t)
            .await
            .expect("get"),
        None
    );
    assert!(store
        .account_session(&laptop.token_hash, t)
        .await
        .expect("get")
        .is_some());

    // Sign out everywhere: every session of Anna, none of Bo's.
    let another = session(anna.id, Duration::hours(8));
    store
        .put_account_session(another.clone())
        .await
        .expect("put");
    let ended = store
        .delete_account_sessions(anna.id)
        .await
        .expect("delete all");
    // The phone signed out already; the stale one went when `another` was stored.
    assert_eq!(ended, 2, "laptop and another");
    for s in [&laptop, &another] {
        assert_eq!(
            store.account_session(&s.token_hash, t).await.expect("get"),
            None
        );
    }
    assert_eq!(
        store
            .account_session(&bos.token_hash, t)
            .await
            .expect("get"),
        Some(bo.clone())
    );
    assert_eq!(
        store.delete_account_sessions(anna.id).await.expect("again"),
        0
    );
}
