// Independent Medical Review (IMR) case workflow: Azure resources for `azd up`.
// Subscription scope: the template creates its own resource group (the azd convention).
// Every module is local (infra/modules): public-registry modules are not used.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// azd parameters
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds the unique resource-name suffix.')
param environmentName string

@minLength(1)
@description('Azure region for all resources (must offer Flex Consumption).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Name of the resource group; empty for rg-<environmentName>.')
param resourceGroupName string = ''

// ---------------------------------------------------------------------------------------------
// Application parameters
// ---------------------------------------------------------------------------------------------

@description('Organization name shown in notices and determination letters (Imr__OrganizationName).')
param organizationName string = 'MAXIMUS Federal Services'

@description('Time compression of statutory deadlines (Imr__TimeScale); 1 in Azure (real time).')
param timeScale string = '1'

@description('NCRONTAB schedule of the deadline sweep timer (DeadlineSweepSchedule).')
param deadlineSweepSchedule string = '0 */15 * * * *'

@description('Id of the callback signing key used to sign new links (Callback__CurrentKeyId).')
@minLength(1)
param callbackCurrentKeyId string = 'k1'

@description('Id of the previous callback signing key still accepted for verification; empty for none.')
param callbackPreviousKeyId string = ''

@description('Current callback signing key: base64 of at least 32 bytes. Without CALLBACK_SIGNING_KEY_CURRENT, azd generates 64 alphanumeric characters once (valid base64 of 48 bytes) and keeps them in the environment.')
@secure()
@minLength(44)
@metadata({
  azd: {
    type: 'generate'
    config: {
      length: 64
      noSpecial: true
    }
  }
})
param callbackSigningKeyCurrent string

@description('Previous callback signing key (base64, at least 32 bytes); required when callbackPreviousKeyId is set.')
@secure()
param callbackSigningKeyPrevious string = ''

@description('Create the Event Grid subscription that feeds the intake blob trigger. Leave false until the code has been deployed once (see infra/README.md).')
param enableIntakeEventSubscription bool = false

@description('Send notifications as e-mail through Azure Communication Services (an Email Communication Service with an Azure-managed domain, the app identity allowed to send). Off: the .eml files in the outbox container are the delivery.')
param enableEmailNotifications bool = false

@description('Where Communication Services keeps data at rest (enableEmailNotifications only).')
param communicationDataLocation string = 'United States'

@description('Days each issued letter in the determinations container is protected from overwrite and deletion (container-level time-based retention, unlocked). 2555 days = 7 years.')
@minValue(1)
@maxValue(146000)
param letterRetentionDays int = 2555

@description('Durable task hub name; must equal extensions.durableTask.hubName in host.json.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'imr'

@description('Id of the user or service principal running azd (azd fills AZURE_PRINCIPAL_ID): gets Storage Blob Data Contributor so the first upload to intake works; empty for none.')
param principalId string = ''

@description('Kind of principalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Principal (a group, preferably) of the staff who edit the wording templates: Storage Blob Data Contributor on the templates container only; empty for none.')
param templateEditorsPrincipalId string = ''

@description('Principal (a group, preferably) of the mail room that prints the daily batches: Storage Blob Data Reader on the mailroom container only; empty for none.')
param mailRoomPrincipalId string = ''

@description('Create or update the WORM retention policy of the determinations container. Set false (LETTER_RETENTION_POLICY_LOCKED=true) once the policy is locked: Azure refuses any PUT on a locked policy, so later provisions must leave it alone.')
param manageLetterRetentionPolicy bool = true

@description('Health check path the platform probes (App Service health check).')
param healthCheckPath string = '/api/health'

@description('Private networking: VNet integration for the app, private endpoints for storage and Key Vault, public network access off (azd\'s own uploads then need a network path: docs/operations.md).')
param enablePrivateNetworking bool = false

@description('Flex Consumption instance memory in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Flex Consumption maximum instance count.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var serviceName = 'api'
var identityName = 'id-${resourceToken}'
var storageAccountName = 'st${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'
var logAnalyticsName = 'log-${resourceToken}'
var applicationInsightsName = 'appi-${resourceToken}'
var systemTopicName = 'evgt-${resourceToken}'
var functionAppName = 'func-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var intakeContainerName = 'intake'
var containerNames = [
  intakeContainerName
  'quarantine'
  'submissions'
  'determinations'
  'outbox'
  'roster'
  'casefiles'
  'caserecords'
  // Staff wording overrides (templates/<program>/<name>.liquid), read by the app; and the mail room's mailings and
  // daily print batches (mailroom/mailings/…, mailroom/batches/<day>.pdf), written by the app. Both were created on
  // first use (mailroom) or optional (templates) before; created here so their access can be granted per container.
  'templates'
  'mailroom'
]
var tableNames = [
  'Cases'
  'Reviewers'
  'Assignments'
  'CallbackUses'
  'DeadlineIndex'
  'Audit'
  'Letters'
  'Intake'
  'Rejections'
  'Applications'
]
// A previous key with the same id as the current one would overwrite the current key's setting.
var hasPreviousKey = !empty(callbackPreviousKeyId) && callbackPreviousKeyId != callbackCurrentKeyId

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: logAnalyticsName
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    identityName: identityName
  }
  dependsOn: [
    identity
  ]
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerNames: containerNames
    deploymentContainerName: deploymentContainerName
    tableNames: tableNames
    identityName: identityName
    immutableContainerName: 'determinations'
    immutabilityRetentionDays: letterRetentionDays
    manageImmutabilityPolicy: manageLetterRetentionPolicy
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    templateEditorsPrincipalId: templateEditorsPrincipalId
    mailRoomPrincipalId: mailRoomPrincipalId
    publicNetworkAccess: !enablePrivateNetworking
  }
  dependsOn: [
    identity
  ]
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    identityName: identityName
    callbackSigningKeyCurrent: callbackSigningKeyCurrent
    createPreviousKey: hasPreviousKey
    callbackSigningKeyPrevious: callbackSigningKeyPrevious
    publicNetworkAccess: !enablePrivateNetworking
  }
  dependsOn: [
    identity
  ]
}

module communication 'modules/communication.bicep' = if (enableEmailNotifications) {
  name: 'communication'
  scope: rg
  params: {
    communicationServiceName: 'acs-${resourceToken}'
    emailServiceName: 'ecs-${resourceToken}'
    dataLocation: communicationDataLocation
    tags: tags
    identityName: identityName
  }
  dependsOn: [
    identity
  ]
}

// The outbox record is always written; with e-mail on, each is also sent through Communication Services with the
// app's identity (the same credential as its storage connection: ImrStorage__clientId).
var notificationSettings = enableEmailNotifications
  ? {
      Notifications__Delivery: 'AzureCommunicationEmail'
      Notifications__AcsEndpoint: communication!.outputs.endpoint
      Notifications__FromAddress: communication!.outputs.senderAddress
    }
  : {
      Notifications__Delivery: 'Outbox'
    }

var callbackKeySettings = union(
  {
    Callback__CurrentKeyId: callbackCurrentKeyId
    'Callback__Keys__${callbackCurrentKeyId}': '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.currentKeyReferenceUri})'
  },
  hasPreviousKey
    ? {
        'Callback__Keys__${callbackPreviousKeyId}': '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.previousKeyReferenceUri})'
      }
    : {}
)

// The Durable Functions backend is the Azure Storage provider (host.json). The Durable Task Scheduler is not offered: the
// isolated worker needs Microsoft.Azure.Functions.Worker.Extensions.DurableTask.AzureManaged, which could not be restored
// for this project; docs/operations.md lists the steps to add it (package, host.json storageProvider, this module back).
var durableSettings = {
  TASKHUB_NAME: taskHubName
}

module network 'modules/network.bicep' = if (enablePrivateNetworking) {
  name: 'network'
  scope: rg
  params: {
    name: resourceToken
    location: location
    tags: tags
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
  }
  dependsOn: [
    storage
    keyVault
  ]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    appTags: union(tags, {
      'azd-service-name': serviceName
    })
    identityName: identityName
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    healthCheckPath: healthCheckPath
    virtualNetworkSubnetId: enablePrivateNetworking ? network!.outputs.appSubnetId : ''
    appSettings: union(
      {
        // The blob triggers' source is compiled in (MSBuild property IntakeBlobTriggerSource, default EventGrid,
        // the only source Flex Consumption has); it is not an app setting.
        Imr__OrganizationName: organizationName
        Imr__TimeScale: timeScale
        DeadlineSweepSchedule: deadlineSweepSchedule
        // Re-delivers blobs left in intake (a crash, a poisoned delivery) and quarantines orphans (Imr__Intake__OrphanAfter).
        IntakeSweepSchedule: '0 */10 * * * *'
      },
      callbackKeySettings,
      durableSettings,
      notificationSettings
    )
  }
  dependsOn: [
    storage
  ]
}

// Staff console sign-in (Easy Auth + Entra ID app roles); off until an app registration exists (docs/staff-console.md).
@description('Application (client) id of the Entra ID app registration for staff sign-in; empty leaves Easy Auth off.')
param staffAuthClientId string = ''

module staffAuth 'modules/staff-auth.bicep' = if (!empty(staffAuthClientId)) { name: 'staff-auth', scope: rg, params: { functionAppName: functionAppName, clientId: staffAuthClientId }, dependsOn: [ functionApp ] }

module eventGridTopic 'modules/eventgrid-topic.bicep' = {
  name: 'eventgrid-topic'
  scope: rg
  params: {
    name: systemTopicName
    location: location
    tags: tags
    storageAccountName: storageAccountName
  }
  dependsOn: [
    storage
  ]
}

// Deadlines at a glance: cases by state, overdue, time to offer and to determination (the app's OpenTelemetry metrics).
module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsName: applicationInsightsName
  }
  dependsOn: [
    monitoring
  ]
}

// Audit logs (who read or changed which blob, table row or secret) to Log Analytics.
module diagnostics 'modules/diagnostics.bicep' = {
  name: 'diagnostics'
  scope: rg
  params: {
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    logAnalyticsName: logAnalyticsName
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

// Second step of the deployment (after `azd deploy` has put the code in place):
// azd env set ENABLE_INTAKE_EVENT_SUBSCRIPTION true && azd provision
module intakeSubscription 'modules/intake-subscription.bicep' = if (enableIntakeEventSubscription) {
  name: 'intake-subscription'
  scope: rg
  params: {
    systemTopicName: systemTopicName
    functionAppName: functionAppName
    containerName: intakeContainerName
  }
  dependsOn: [
    eventGridTopic
    functionApp
  ]
}

// The same subscription kind feeds the roster import (files dropped in the "roster" container).
module rosterSubscription 'modules/intake-subscription.bicep' = if (enableIntakeEventSubscription) {
  name: 'roster-subscription'
  scope: rg
  params: {
    systemTopicName: systemTopicName
    functionAppName: functionAppName
    containerName: 'roster'
    functionName: 'Host.Functions.RosterFromBlob'
    subscriptionName: 'roster-blob-created'
  }
  dependsOn: [
    eventGridTopic
    functionApp
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd writes them to .azure/<env>/.env)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.uri
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = functionApp.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output INTAKE_CONTAINER_NAME string = intakeContainerName
output INTAKE_CONTAINER_URL string = '${storage.outputs.blobEndpoint}${intakeContainerName}'
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output EVENTGRID_SYSTEM_TOPIC_NAME string = eventGridTopic.outputs.name
output INTAKE_EVENT_SUBSCRIPTION_ENABLED bool = enableIntakeEventSubscription
output DURABLE_BACKEND string = 'AzureStorage'
output EMAIL_NOTIFICATIONS_ENABLED bool = enableEmailNotifications
output COMMUNICATION_SERVICES_ENDPOINT string = enableEmailNotifications ? communication!.outputs.endpoint : ''
output LETTER_RETENTION_DAYS int = letterRetentionDays
