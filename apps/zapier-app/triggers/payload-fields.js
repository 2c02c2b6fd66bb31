'use strict';

/**
 * The flat webhook payload's fields as a Zap shows them (other form fields appear under their own names). `id` is
 * the event's id, the same in every delivery of one event (its retries included).
 */
const PAYLOAD_FIELDS = [
  { key: 'id', label: 'ID' },
  { key: 'lead_id', label: 'Lead ID' },
  { key: 'submitted_at', label: 'Submitted At', type: 'datetime' },
  { key: 'name', label: 'Name' },
  { key: 'email', label: 'Email' },
  { key: 'phone', label: 'Phone' },
  { key: 'message', label: 'Message' },
  { key: 'page_url', label: 'Page URL' },
  { key: 'lead_source', label: 'Lead Source' },
  { key: 'form_type', label: 'Form Type' },
  { key: 'site_hostname', label: 'Site Hostname' },
  { key: 'site_name', label: 'Site Name' },
  { key: 'site_id', label: 'Site ID' },
  { key: 'event', label: 'Event' },
  { key: 'event_id', label: 'Event ID' },
  { key: 'attempt', label: 'Delivery Attempt', type: 'integer' },
];

const UPDATE_FIELDS = [
  { key: 'lead_version', label: 'Lead Version', type: 'integer' },
  { key: 'changed_fields', label: 'Changed Fields' },
];

/** A lead.deleted's fields: ids, when and why; nothing of the lead itself (it was erased). */
const DELETED_FIELDS = [
  { key: 'id', label: 'ID' },
  { key: 'lead_id', label: 'Lead ID' },
  { key: 'erased_at', label: 'Deleted At', type: 'datetime' },
  { key: 'reason', label: 'Reason (request, retention or site_deleted)' },
  { key: 'site_hostname', label: 'Site Hostname' },
  { key: 'site_name', label: 'Site Name' },
  { key: 'site_id', label: 'Site ID' },
  { key: 'event', label: 'Event' },
  { key: 'event_id', label: 'Event ID' },
  { key: 'attempt', label: 'Delivery Attempt', type: 'integer' },
];

module.exports = { PAYLOAD_FIELDS, UPDATE_FIELDS, DELETED_FIELDS };
