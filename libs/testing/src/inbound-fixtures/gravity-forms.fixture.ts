/**
 * A Gravity Forms Webhooks Add-On request body with "Request Body: All Fields" and "Request Format: JSON"
 * ("Triggering Webhooks on Form Submissions", https://docs.gravityforms.com/triggering-webhooks-form-submissions/):
 * the entry object as documented on https://docs.gravityforms.com/entry-object/ (entry properties such as `id`,
 * `form_id`, `date_created`, `source_url`, `ip`, `user_agent`, `status`, and the submitted values keyed by field id;
 * a Name field's inputs as `1.3` first and `1.6` last), for a contact form with a Name (1), Email (2), Phone (3),
 * Paragraph (4) and Drop Down (5) field.
 */
export const GRAVITY_FORMS_ENTRY = {
  id: '134',
  status: 'active',
  form_id: '1',
  ip: '203.0.113.9',
  source_url: 'https://example.com/contact/',
  currency: 'USD',
  post_id: null,
  date_created: '2026-11-20 09:14:02',
  date_updated: '2026-11-20 09:14:02',
  is_starred: 0,
  is_read: 0,
  user_agent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  payment_status: null,
  payment_date: null,
  payment_amount: null,
  payment_method: '',
  transaction_id: null,
  is_fulfilled: null,
  created_by: null,
  transaction_type: null,
  '1.2': '',
  '1.3': 'Ben',
  '1.4': '',
  '1.6': 'Ridley',
  '1.8': '',
  '2': 'ben@example.com',
  '3': '(555) 555-1212',
  '4': 'We are moving offices in March.\nCould you send a quote for the new space?',
  '5': 'Quote request',
};
