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
        max_file_bytes -> Nullable<BigInt>,
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
        email_verified_at -> Nullable<Timestamp>,
        deactivated_at -> Nullable<Timestamp>,
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
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    account_tokens (token_hash) {
        token_hash -> Text,
        user_id -> Text,
        purpose -> Text,
        email -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_throttle (throttle_key, window_start) {
        throttle_key -> Text,
        window_start -> BigInt,
        attempts -> BigInt,
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
        purpose -> Nullable<Text>,
        algo -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
        legacy_until -> BigInt,
        key_id -> Nullable<Text>,
        mac -> Nullable<Text>,
    }
}

diesel::table! {
    e_documents (id) {
        id -> Text,
        kind -> Text,
        organization_id -> Text,
        patient_id -> Text,
        actor_id -> Text,
        consultation_id -> Nullable<Text>,
        seq -> Integer,
        canonical -> Text,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consent_codes (id) {
        id -> Text,
        organization_id -> Text,
        patient_id -> Text,
        actor_id -> Text,
        offer_version -> Integer,
        code_hash -> Text,
        attempts -> Integer,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consultations (id) {
        id -> Text,
        organization_id -> Text,
        practitioner_id -> Nullable<Text>,
        patient_id -> Text,
        booked_by -> Text,
        initiative -> Text,
        status -> Text,
        mode -> Text,
        urgency -> Text,
        specialty -> Nullable<Text>,
        slot_start -> Nullable<Timestamp>,
        slot_end -> Nullable<Timestamp>,
        reason -> Text,
        funding -> Text,
        price_kzt -> Nullable<BigInt>,
        requested_at -> Timestamp,
        clock_started_at -> Nullable<Timestamp>,
        deadline_at -> Nullable<Timestamp>,
        breached_at -> Nullable<Timestamp>,
        confirm_token_hash -> Nullable<Text>,
        ics_uid -> Text,
        ics_sequence -> Integer,
        cancelled_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        held_by -> Nullable<Text>,
        patient_agreed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consultation_events (id) {
        id -> Text,
        consultation_id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        kind -> Text,
        details -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        dedupe_key -> Text,
        consultation_id -> Nullable<Text>,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        ics -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        due_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        provider_id -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    medical_records (id) {
        id -> Text,
        chain_id -> Text,
        patient_id -> Text,
        organization_id -> Text,
        author_id -> Text,
        consultation_id -> Nullable<Text>,
        kind -> Text,
        version -> Integer,
        replaces_id -> Nullable<Text>,
        status -> Text,
        body -> Text,
        canonical -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        signature -> Nullable<Text>,
        signature_form -> Nullable<Text>,
        signature_algorithm -> Nullable<Text>,
        signer_certificate -> Nullable<Text>,
        signer_name -> Nullable<Text>,
        signer_subject -> Nullable<Text>,
        signer_iin -> Nullable<Text>,
        cert_serial -> Nullable<Text>,
        cert_issuer -> Nullable<Text>,
        cert_not_before -> Nullable<Timestamp>,
        cert_not_after -> Nullable<Timestamp>,
        signed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    record_materials (id) {
        id -> Text,
        record_id -> Text,
        kind -> Text,
        name -> Text,
        sha256 -> Text,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    signing_keys (id) {
        id -> Text,
        user_id -> Text,
        certificate -> Text,
        serial -> Text,
        not_after -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    signing_key_challenges (user_id) {
        user_id -> Text,
        challenge_hash -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    consultation_guests (id) {
        id -> Text,
        consultation_id -> Text,
        user_id -> Text,
        kind -> Text,
        invited_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    consultation_materials (id) {
        id -> Text,
        consultation_id -> Text,
        kind -> Text,
        name -> Text,
        mime -> Text,
        size -> BigInt,
        sha256 -> Text,
        author_id -> Nullable<Text>,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    call_messages (id) {
        id -> Text,
        consultation_id -> Text,
        seq -> Integer,
        sender_id -> Text,
        body -> Text,
        material_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    deferred_requests (consultation_id) {
        consultation_id -> Text,
        kind -> Text,
        study_profile -> Nullable<Text>,
        requester_id -> Text,
        requester_org_id -> Nullable<Text>,
        paused_at -> Nullable<Timestamp>,
        remaining_seconds -> Nullable<BigInt>,
        documents_note -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        conclusion_id -> Nullable<Text>,
        completion_reason -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    consultant_lists (organization_id, specialty, practitioner_id) {
        organization_id -> Text,
        specialty -> Text,
        practitioner_id -> Text,
        position -> Integer,
    }
}

diesel::table! {
    consultant_queues (organization_id, specialty) {
        organization_id -> Text,
        specialty -> Text,
        turns -> BigInt,
    }
}

diesel::table! {
    break_glass_grants (id) {
        id -> Text,
        doctor_id -> Text,
        patient_id -> Text,
        organization_id -> Nullable<Text>,
        reason -> Text,
        ip -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    councils (id) {
        id -> Text,
        patient_id -> Text,
        initiator_id -> Text,
        initiator_org_id -> Text,
        question -> Text,
        urgency -> Text,
        mode -> Text,
        initiative -> Text,
        status -> Text,
        scheduled_at -> Nullable<Timestamp>,
        deadline_at -> Nullable<Timestamp>,
        patient_agreed_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        consultation_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    council_members (id) {
        id -> Text,
        council_id -> Text,
        user_id -> Text,
        practitioner_id -> Text,
        organization_id -> Text,
        specialty -> Nullable<Text>,
        source -> Text,
        status -> Text,
        decline_reason -> Nullable<Text>,
        opinion -> Nullable<Text>,
        opinion_at -> Nullable<Timestamp>,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    council_conclusions (council_id) {
        council_id -> Text,
        version -> Integer,
        status -> Text,
        body -> Text,
        canonical -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        frozen_at -> Nullable<Timestamp>,
        final_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    council_signatures (id) {
        id -> Text,
        council_id -> Text,
        version -> Integer,
        user_id -> Text,
        status -> Text,
        refusal_reason -> Nullable<Text>,
        sha256 -> Nullable<Text>,
        signature -> Nullable<Text>,
        signature_form -> Nullable<Text>,
        signer_certificate -> Nullable<Text>,
        signer_name -> Nullable<Text>,
        signer_subject -> Nullable<Text>,
        signer_iin -> Nullable<Text>,
        cert_serial -> Nullable<Text>,
        cert_issuer -> Nullable<Text>,
        cert_not_after -> Nullable<Timestamp>,
        at -> Timestamp,
    }
}

diesel::table! {
    text_translations (owner_type, owner_id, field, lang) {
        owner_type -> Text,
        owner_id -> Text,
        field -> Text,
        lang -> Text,
        body -> Text,
    }
}

diesel::table! {
    icd10_imports (id) {
        id -> Text,
        lang -> Text,
        source -> Text,
        accepted -> Integer,
        rejected -> Integer,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    icd10_titles (lang, code) {
        lang -> Text,
        code -> Text,
        title -> Text,
        import_id -> Text,
    }
}

diesel::joinable!(offer_versions -> organizations (organization_id));
diesel::joinable!(icd10_titles -> icd10_imports (import_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(account_tokens -> users (user_id));
diesel::joinable!(practitioners -> users (user_id));
diesel::joinable!(practitioners -> organizations (organization_id));
diesel::joinable!(practitioner_specialties -> practitioners (practitioner_id));
diesel::joinable!(practitioner_specialties -> specialties (specialty_code));
diesel::joinable!(schedule_intervals -> practitioners (practitioner_id));
diesel::joinable!(schedule_exceptions -> practitioners (practitioner_id));
diesel::joinable!(consultations -> organizations (organization_id));
diesel::joinable!(consultations -> practitioners (practitioner_id));
diesel::joinable!(consultation_events -> consultations (consultation_id));
diesel::joinable!(record_materials -> medical_records (record_id));
diesel::joinable!(consultation_guests -> consultations (consultation_id));
diesel::joinable!(consultation_materials -> consultations (consultation_id));
diesel::joinable!(call_messages -> consultations (consultation_id));
diesel::joinable!(deferred_requests -> consultations (consultation_id));
diesel::joinable!(council_members -> councils (council_id));
diesel::joinable!(council_conclusions -> councils (council_id));
diesel::joinable!(council_signatures -> councils (council_id));
diesel::joinable!(council_members -> practitioners (practitioner_id));
diesel::joinable!(consultant_lists -> practitioners (practitioner_id));

diesel::allow_tables_to_appear_in_same_query!(
    specialties,
    organizations,
    offer_versions,
    users,
    representations,
    account_tokens,
    sessions,
    login_throttle,
    practitioners,
    practitioner_specialties,
    schedule_intervals,
    schedule_exceptions,
    audit_events,
    audit_head,
    e_documents,
    consent_codes,
    consultations,
    consultation_events,
    outbox,
    medical_records,
    record_materials,
    signing_keys,
    signing_key_challenges,
    consultation_guests,
    consultation_materials,
    call_messages,
    deferred_requests,
    break_glass_grants,
    consultant_lists,
    consultant_queues,
    councils,
    council_members,
    council_conclusions,
    council_signatures,
    text_translations,
    icd10_imports,
    icd10_titles,
);
