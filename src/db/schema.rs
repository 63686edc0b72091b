//! The one hand-kept schema, in the type subset that SQLite and PostgreSQL share:
//! ids are UUID text, times are UTC `Timestamp`, JSON is `Text`.

diesel::table! {
    specialties (code) {
        code -> Text,
        name_ru -> Text,
        name_kk -> Text,
        name_en -> Text,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        name -> Text,
        address -> Text,
        phone -> Text,
        email -> Text,
        licence_number -> Text,
        licensed_profiles -> Text,
        service_kinds -> Text,
        gobmp -> Bool,
        osms -> Bool,
        time_zone -> Text,
        consultation_minutes -> Integer,
        urgent_deadline_hours -> Integer,
        planned_deadline_hours -> Integer,
        paid -> Bool,
        price_list -> Text,
        payment_procedure -> Text,
        consent_procedure -> Text,
        anonymous_consultation -> Text,
        identification_procedure -> Text,
        conclusion_procedure -> Text,
        document_requirements -> Text,
        offer_acceptance -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offer_versions (id) {
        id -> Text,
        organization_id -> Text,
        version -> Integer,
        body -> Text,
        sha256 -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        full_name -> Text,
        iin -> Text,
        role -> Text,
        organization_id -> Nullable<Text>,
        language -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    representations (id) {
        id -> Text,
        representative_id -> Text,
        patient_id -> Text,
        basis -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (id) {
        id -> Text,
        email -> Text,
        ip -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    practitioners (id) {
        id -> Text,
        user_id -> Text,
        organization_id -> Text,
        position -> Text,
        qualification_category -> Text,
        academic_degree -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    practitioner_specialties (practitioner_id, specialty_code) {
        practitioner_id -> Text,
        specialty_code -> Text,
        experience_years -> Integer,
    }
}

diesel::table! {
    schedule_intervals (id) {
        id -> Text,
        practitioner_id -> Text,
        weekday -> Integer,
        starts_at -> Text,
        ends_at -> Text,
    }
}

diesel::table! {
    schedule_exceptions (id) {
        id -> Text,
        practitioner_id -> Text,
        day -> Date,
        reason -> Text,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        outcome -> Text,
        ip -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(offer_versions -> organizations (organization_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(practitioners -> users (user_id));
diesel::joinable!(practitioners -> organizations (organization_id));
diesel::joinable!(practitioner_specialties -> practitioners (practitioner_id));
diesel::joinable!(practitioner_specialties -> specialties (specialty_code));
diesel::joinable!(schedule_intervals -> practitioners (practitioner_id));
diesel::joinable!(schedule_exceptions -> practitioners (practitioner_id));

diesel::allow_tables_to_appear_in_same_query!(
    specialties,
    organizations,
    offer_versions,
    users,
    representations,
    sessions,
    login_failures,
    practitioners,
    practitioner_specialties,
    schedule_intervals,
    schedule_exceptions,
    audit_events,
);
