/**
 * A Webflow `form_submission` webhook body, as Webflow documents it: "Example Payload" of the form_submission event,
 * https://developers.webflow.com/data/reference/webhooks/events/form-submission (also on "Working with webhooks",
 * https://developers.webflow.com/data/docs/working-with-webhooks). Posted as `application/json` with
 * `x-webflow-timestamp` (milliseconds) and `x-webflow-signature` (hex HMAC-SHA256 of `<timestamp>:<body>`), per that
 * page's "Validating request signatures".
 */
export const WEBFLOW_FORM_SUBMISSION = {
  triggerType: 'form_submission',
  payload: {
    name: 'Contact Us',
    siteId: '65427cf400e02b306eaa049c',
    data: {
      'First Name': 'Zaphod',
      'Last Name': 'Beeblebrox',
      email: 'zaphod@heartofgold.ai',
      'Phone Number': 15550000000,
    },
    schema: [
      {
        fieldName: 'First Name',
        fieldType: 'FormTextInput',
        fieldElementId: '285042f7-d554-dc7f-102c-aa10d6a2d2c4',
      },
      {
        fieldName: 'Last Name',
        fieldType: 'FormTextInput',
        fieldElementId: '285042f7-d554-dc7f-102c-aa10d6a2d2c5',
      },
      {
        fieldName: 'email',
        fieldType: 'FormTextInput',
        fieldElementId: '285042f7-d554-dc7f-102c-aa10d6a2d2c6',
      },
      {
        fieldName: 'Phone Number',
        fieldType: 'FormTextInput',
        fieldElementId: '285042f7-d554-dc7f-102c-aa10d6a2d2c7',
      },
    ],
    submittedAt: '2022-09-14T12:35:16.117Z',
    id: '6321ca84df3949bfc6752327',
    formId: '65429eadebe8a9f3a30f62d0',
    formElementId: '4e038d2c-6a1e-4953-7be9-a59a2b453177',
  },
};
