// One storage account for the application's data (blob containers and tables), the Functions
// host (AzureWebJobsStorage: leases, timers, blob-trigger receipts), the Durable Functions task
// hub (Azure Storage backend: queues, tables, blobs) and the Flex Consumption deployment package.
// Shared-key access is disabled: every caller authenticates with Entra ID.

@description('Name of the storage account (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('False with private networking: the account answers only its private endpoints (and trusted Azure services such as Event Grid).')
param publicNetworkAccess bool = true

@description('Azure region.')
param location string

@description('Tags applied to the resources.')
param tags object

@description('Blob containers the application uses.')
param containerNames string[]

@description('Blob container that holds the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Tables the application uses.')
param tableNames string[]

@description('Name of the user-assigned managed identity (in this resource group) that gets data-plane roles on this account.')
param identityName string

@description('Container whose blobs (issued Final Determination Letters) are kept immutable: write once, never overwritten or deleted during the retention period.')
param immutableContainerName string = 'determinations'

@description('Days every blob in the immutable container is protected from overwrite and deletion (container-level time-based retention, counted from each blob\'s creation).')
@minValue(1)
@maxValue(146000)
param immutabilityRetentionDays int = 2555

@description('Create or update the immutability policy. False once it is locked: Azure refuses a PUT on a locked policy.')
param manageImmutabilityPolicy bool = true

@description('Principal (the person or pipeline running azd) that gets Storage Blob Data Contributor, so its first upload works; empty for none.')
param deployerPrincipalId string = ''

@description('Kind of deployerPrincipalId.')
param deployerPrincipalType string = 'User'

@description('Group of the staff who edit wording templates: Storage Blob Data Contributor on the templates container only; empty for none.')
param templateEditorsPrincipalId string = ''

@description('Group of the mail room: Storage Blob Data Reader on the mailroom container only; empty for none.')
param mailRoomPrincipalId string = ''

@description('Days a previous blob version is kept before lifecycle management deletes it (versions arise where blobs are overwritten, e.g. the Functions host\'s timer status blobs; the immutable container has none).')
@minValue(1)
@maxValue(365)
param previousVersionRetentionDays int = 30

@description('Days a deleted blob can be restored.')
@minValue(1)
@maxValue(365)
param blobSoftDeleteDays int = 7

// Built-in role definition ids.
var roles = {
  // The Functions host (AzureWebJobsStorage: host/singleton lease blobs, blob-trigger receipts),
  // the Durable Functions task hub (partition lease blobs, large-message payloads) and the app's
  // containers. The Functions documentation names "Storage Blob Data Owner" as the role for an
  // identity-based AzureWebJobsStorage connection.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Durable Functions control/work-item queues, blob-trigger poison queue.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // Durable Functions history/instances tables and the app's own tables.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: publicNetworkAccess ? 'Enabled' : 'Disabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess ? 'Allow' : 'Deny'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Blob versioning: an overwrite or delete keeps the earlier content as a version (defence in depth beside the
    // create-only writes of the app; the determinations container additionally has a WORM policy below).
    isVersioningEnabled: true
    deleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: blobSoftDeleteDays
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for containerName in concat(containerNames, [deploymentContainerName]): {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Letters are "stored immutably": a container-level time-based retention policy (WORM) on the determinations
// container. Unlocked, so the retention can still be shortened or the policy removed while the team validates it;
// lock it (az storage container immutability-policy lock) to make it a regulatory (SEC 17a-4(f)-style) commitment.
// While it applies, no blob in the container can be overwritten or deleted, by anyone; new blobs can be created,
// which is all the app does there (create-only uploads). Protected append writes are off: letters are block blobs.
resource immutableContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: immutableContainerName
}

resource determinationsRetention 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = if (manageImmutabilityPolicy) {
  parent: immutableContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: immutabilityRetentionDays
    allowProtectedAppendWrites: false
  }
  dependsOn: [
    containers
  ]
}

// Versioning keeps every overwritten state; this rule removes previous versions after a while so that blobs the
// Functions host rewrites often (timer and blob-receipt bookkeeping) do not accumulate versions without bound.
// It cannot touch the determinations container's blobs: they are never overwritten, so they have no previous versions,
// and the retention policy above forbids their deletion anyway.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-previous-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: previousVersionRetentionDays
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    blobService
  ]
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in items(roles): {
    name: guid(storage.id, identity.id, roleId.value)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId.value)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Storage Blob Data Contributor for the deployer: uploads to intake/roster with `az storage blob upload --auth-mode login`.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
resource deployerBlobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, storageBlobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

// People get only the container they work in (least privilege). The app's identity keeps the account-wide Storage
// Blob Data Owner above: the Functions host needs it for AzureWebJobsStorage, and it covers both containers (the app
// only reads templates, and writes mailroom create-once).
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'

resource templatesContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: 'templates'
}

resource mailRoomContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' existing = {
  parent: blobService
  name: 'mailroom'
}

resource templateEditorsRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(templateEditorsPrincipalId)) {
  name: guid(storage.id, 'templates', templateEditorsPrincipalId, storageBlobDataContributor)
  scope: templatesContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: templateEditorsPrincipalId
    principalType: 'Group'
  }
  dependsOn: [
    containers
  ]
}

resource mailRoomRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(mailRoomPrincipalId)) {
  name: guid(storage.id, 'mailroom', mailRoomPrincipalId, storageBlobDataReader)
  scope: mailRoomContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    principalId: mailRoomPrincipalId
    principalType: 'Group'
  }
  dependsOn: [
    containers
  ]
}

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output immutableContainerName string = immutableContainerName
output immutabilityRetentionDays int = immutabilityRetentionDays
