//! The conformance suite of `FollowUpStore` (prepared answers, notification addresses), run
//! against both stores from `store_sqlite.rs` and `store_postgres.rs`. Fresh random ids in every
//! check, whole-microsecond timestamps, like the other suites.

use std::sync::Arc;

use borgermode_domain::{MeetingId, ParticipantId};
use borgermode_server::store::followup::{NotifyAddress, SnippetRecord};
use borgermode_server::store::orgs::{OrgId, OrganizationRecord};
use borgermode_server::store::Store;
use chrono::Duration;
use uuid::Uuid;

use super::store_conformance::now;

async fn new_org(store: &dyn Store) -> OrgId {
    let id = OrgId(Uuid::new_v4());
    store
        .create_organization(OrganizationRecord {
            id,
            name: format!("Kommune {}", id.0.simple()),
            primary_color: None,
            accent_color: None,
            privacy_contact: None,
            logo_type: None,
            logo_version: 0,
            created_at: now(),
        })
        .await
        .expect("create organization");
    id
}

fn snippet(org: OrgId, title: &str) -> SnippetRecord {
    SnippetRecord {
        id: Uuid::new_v4(),
        organization: org,
        title: title.to_owned(),
        body: "Søg på [borger.dk](https://www.borger.dk) — «selvbetjening» ✓".to_owned(),
        created_at: now(),
        updated_at: now(),
    }
}

pub async fn snippets_crud_scoped_by_organization(store: Arc<dyn Store>) {
    let a = new_org(&*store).await;
    let b = new_org(&*store).await;
    let s2 = snippet(a, "Parkering");
    let s1 = snippet(a, "Affald og genbrug");
    let other = snippet(b, "Anden kommune");
    for s in [&s2, &s1, &other] {
        store.put_snippet(s.clone()).await.expect("put");
    }
    assert_eq!(
        store.snippets(a).await.expect("list"),
        vec![s1.clone(), s2.clone()]
    );
    assert_eq!(store.snippets(b).await.expect("list"), vec![other.clone()]);
    assert_eq!(
        store.snippet(a, s1.id).await.expect("get"),
        Some(s1.clone())
    );
    // Another organization's id is simply not there.
    assert_eq!(store.snippet(b, s1.id).await.expect("get"), None);
    assert!(!store.delete_snippet(b, s1.id).await.expect("delete"));

    // Update keeps created_at and the organization; an update from another organization
    // changes nothing.
    let mut edited = s1.clone();
    edited.title = "Affald".into();
    edited.body = "Nyt svar".into();
    edited.updated_at = now() + Duration::seconds(5);
    store.put_snippet(edited.clone()).await.expect("update");
    assert_eq!(
        store.snippet(a, s1.id).await.expect("get"),
        Some(edited.clone())
    );
    let mut hijack = edited.clone();
    hijack.organization = b;
    hijack.title = "Overtaget".into();
    store.put_snippet(hijack).await.expect("no-op update");
    assert_eq!(
        store.snippet(a, s1.id).await.expect("get"),
        Some(edited.clone())
    );
    assert_eq!(store.snippet(b, s1.id).await.expect("get"), None);

    assert!(store.delete_snippet(a, s1.id).await.expect("delete"));
    assert!(!store.delete_snippet(a, s1.id).await.expect("delete again"));
    assert_eq!(store.snippets(a).await.expect("list"), vec![s2]);
}

pub async fn notify_addresses_put_get_delete(store: Arc<dyn Store>) {
    let meeting = MeetingId(Uuid::new_v4());
    let other_meeting = MeetingId(Uuid::new_v4());
    let anne = ParticipantId(Uuid::new_v4());
    let bo = ParticipantId(Uuid::new_v4());
    let addr = |m, p, e: &str| NotifyAddress {
        meeting: m,
        participant: p,
        email: e.to_owned(),
        created_at: now(),
    };
    assert_eq!(
        store.notify_address(meeting, anne).await.expect("get"),
        None
    );
    let a = addr(meeting, anne, "anne@example.dk");
    store.put_notify_address(a.clone()).await.expect("put");
    store
        .put_notify_address(addr(other_meeting, anne, "anne@other.dk"))
        .await
        .expect("put");
    assert_eq!(
        store.notify_address(meeting, anne).await.expect("get"),
        Some(a)
    );
    // Replacing the address.
    let a2 = addr(meeting, anne, "anne.ny@example.dk");
    store.put_notify_address(a2.clone()).await.expect("replace");
    let b = addr(meeting, bo, "bo@example.dk");
    store.put_notify_address(b.clone()).await.expect("put");
    let mut all = store.notify_addresses(meeting).await.expect("list");
    all.sort_by_key(|x| x.participant);
    let mut want = vec![a2, b.clone()];
    want.sort_by_key(|x| x.participant);
    assert_eq!(all, want);
    store
        .delete_notify_address(meeting, anne)
        .await
        .expect("delete");
    assert_eq!(
        store.notify_address(meeting, anne).await.expect("get"),
        None
    );
    assert_eq!(
        store.notify_addresses(meeting).await.expect("list"),
        vec![b]
    );
    // The same participant id in another meeting is untouched.
    assert!(store
        .notify_address(other_meeting, anne)
        .await
        .expect("get")
        .is_some());
}
