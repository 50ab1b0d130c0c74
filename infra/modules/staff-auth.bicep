// Staff sign-in for the console (#14): App Service Authentication ("Easy Auth") with Microsoft Entra ID, and the app
// roles the pages check (X-MS-CLIENT-PRINCIPAL "roles" claim).
//
// Unauthenticated requests are ALLOWED through on purpose: reviewers (not Entra users) open their signed links, upstream
// systems call function-key routes and Event Grid delivers blobs. The app itself answers 401 with a sign-in link on every
// staff page (functions/Web/Staff/StaffAuth.cs), and trusts X-MS-CLIENT-PRINCIPAL only because this module turns Easy
// Auth on (the platform then strips the header from callers and sets WEBSITE_AUTH_ENABLED).
//
// The Entra app registration itself (client id, secret, app roles) is a directory object, not an Azure resource: create
// it once with the commands in docs/staff-console.md (they take the app roles below, output `staffAppRoles`), then set
// staffAuthClientId and the secret setting.

@description('Name of the existing function app.')
param functionAppName string

@description('Application (client) id of the Entra ID app registration staff sign in with.')
param clientId string

@description('Directory (tenant) id of that app registration.')
param tenantId string = tenant().tenantId

// The app setting holding the app registration's client secret (a Key Vault reference in production); the name only.
var clientSecretSettingName = 'MICROSOFT_PROVIDER_AUTHENTICATION_SECRET'

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
      redirectToProvider: 'azureactivedirectory'
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          clientSecretSettingName: clientSecretSettingName
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${clientId}'
            clientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
      preserveUrlFragmentsForLogins: false
    }
  }
}

// The app roles of the console; ids are fixed so re-applying them changes nothing. Values are the claim values the app
// checks (StaffRoles in functions/Web/Staff/StaffUser.cs).
var appRoles = [
  {
    id: 'a3b5e0c1-2f4d-4c6a-9b1e-1d2c3b4a5e61'
    value: 'IntakeDesk'
    displayName: 'Intake desk'
    description: 'Quarantined packages, eligibility questions and letter corrections.'
    allowedMemberTypes: [ 'User' ]
    isEnabled: true
  }
  {
    id: 'b4c6f1d2-3a5e-4d7b-8c2f-2e3d4c5b6f72'
    value: 'MedicalDirector'
    displayName: 'Medical director'
    description: 'Assigns reviewers manually and reassigns overdue cases.'
    allowedMemberTypes: [ 'User' ]
    isEnabled: true
  }
  {
    id: 'c5d7a2e3-4b6f-4e8c-9d3a-3f4e5d6c7a83'
    value: 'CaseViewer'
    displayName: 'Case viewer'
    description: 'Reads cases, the at-risk dashboard and the program figures; acts on nothing.'
    allowedMemberTypes: [ 'User' ]
    isEnabled: true
  }
]

@description('The app roles to set on the app registration (az ad app update --app-roles @roles.json).')
output staffAppRoles array = appRoles

output signInPath string = '/.auth/login/aad'
