//! The demo world of `custos demo`: a bank on the JCIC profile with a head office and two
//! branches; a land office and a household registration office on the Taipei profile. Fictitious
//! names and codes; no real personal data (J4.R2: demo and test instances never hold production
//! data).

use custos_app::organisation::{
    AddOrgUnit, CreateInstitution, HeadOffice, add_org_unit, create_institution,
};
use custos_domain::institution::{
    InstitutionCode, InstitutionKind, OrgUnitCode, OrgUnitKind, QueryMethod,
};
use custos_domain::profile::ControlProfile;

use crate::runtime::CliError;
use crate::wiring::Services;

struct DemoInstitution {
    code: &'static str,
    name: &'static str,
    kind: InstitutionKind,
    profile: ControlProfile,
    methods: &'static [QueryMethod],
    head: (&'static str, &'static str),
    units: &'static [(&'static str, &'static str, OrgUnitKind)],
}

fn world() -> Vec<DemoInstitution> {
    vec![
        DemoInstitution {
            code: "9990000",
            name: "示範商業銀行",
            kind: InstitutionKind::Bank,
            profile: ControlProfile::jcic(),
            methods: &[QueryMethod::ChipCard, QueryMethod::Api],
            head: ("HQ", "總行"),
            units: &[
                ("0101", "信義分行", OrgUnitKind::Branch),
                ("0102", "松山分行", OrgUnitKind::Branch),
            ],
        },
        DemoInstitution {
            code: "AF01",
            name: "臺北市示範地政事務所",
            kind: InstitutionKind::LandOffice,
            profile: ControlProfile::taipei(),
            methods: &[],
            head: ("HQ", "所本部"),
            units: &[
                ("REG", "登記課", OrgUnitKind::Section),
                ("SUR", "測量課", OrgUnitKind::Section),
            ],
        },
        DemoInstitution {
            code: "HA01",
            name: "臺北市示範區戶政事務所",
            kind: InstitutionKind::HouseholdRegistrationOffice,
            profile: ControlProfile::taipei(),
            methods: &[],
            head: ("HQ", "所本部"),
            units: &[("SEAL", "印鑑登記股", OrgUnitKind::Section)],
        },
    ]
}

/// Seeds the demo world unless institutions already exist. Returns whether it seeded.
pub async fn seed(services: &Services) -> Result<bool, CliError> {
    let existing = services
        .db
        .list_institutions()
        .await
        .map_err(|e| CliError(e.to_string()))?;
    if !existing.is_empty() {
        return Ok(false);
    }
    for inst in world() {
        let invalid = |e: &dyn std::fmt::Display| CliError(format!("demo data: {e}"));
        let (row, head) = create_institution(
            &services.ledger,
            services.clock.as_ref(),
            services.ids.as_ref(),
            CreateInstitution {
                code: InstitutionCode::parse(inst.code).map_err(|e| invalid(&e))?,
                name: inst.name.to_owned(),
                kind: inst.kind,
                query_methods: inst.methods.iter().copied().collect(),
                profile: inst.profile,
                created_by: "custos-demo".to_owned(),
                head_office: Some(HeadOffice {
                    code: OrgUnitCode::parse(inst.head.0).map_err(|e| invalid(&e))?,
                    name: inst.head.1.to_owned(),
                }),
            },
        )
        .await
        .map_err(|e| CliError(e.to_string()))?;
        let Some(head) = head else { continue };
        for (code, name, kind) in inst.units {
            add_org_unit(
                &services.ledger,
                services.clock.as_ref(),
                services.ids.as_ref(),
                AddOrgUnit {
                    institution_id: row.id,
                    parent_id: head.id,
                    code: OrgUnitCode::parse(code).map_err(|e| invalid(&e))?,
                    name: (*name).to_owned(),
                    kind: *kind,
                },
            )
            .await
            .map_err(|e| CliError(e.to_string()))?;
        }
    }
    Ok(true)
}
