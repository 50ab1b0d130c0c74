// Flex Consumption plan (FC1) + Linux Function App (.NET isolated worker, .NET 10).
// The app runs as the user-assigned identity: it pulls its deployment package with it, connects
// to storage with it (no account keys exist), resolves Key Vault references with it and sends
// telemetry with it.

@description('Name of the Function App (also the host name prefix).')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan.')
param tags object

@description('Tags applied to the app (must include azd-service-name so that azd deploy finds it).')
param appTags object

@description('Name of the user-assigned managed identity (in this resource group) the app runs as.')
param identityName string

@description('Name of the storage account (host storage, task hub, app data, deployment package).')
param storageAccountName string

@description('Blob container for the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (identifies the component; local auth is disabled).')
param applicationInsightsConnectionString string

@description('Instance memory size in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Maximum number of instances the plan scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Path the platform probes for instance health (answers 200 when storage, the durable backend and the signing key are usable).')
param healthCheckPath string = '/api/health'

@description('Further app settings (merged over the identity-based storage and monitoring settings).')
param appSettings object = {}

@description('Subnet (delegated to Microsoft.App/environments) for VNet integration; empty: none.')
param virtualNetworkSubnetId string = ''

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
      healthCheckPath: healthCheckPath
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Settings live in a child resource so that they can use the site's own host name
// (Callback__PublicBaseUrl) without a cycle. This resource replaces the whole settings set.
resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      // Functions host storage (leases, timers, blob-trigger receipts, Durable task hub on the
      // Azure Storage backend): identity-based, no account key.
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      // Application data (containers and tables) under the connection name ImrStorage.
      ImrStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      ImrStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      ImrStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      ImrStorage__credential: 'managedidentity'
      ImrStorage__clientId: identity.properties.clientId
      // Telemetry through Entra ID (the component has local auth disabled).
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identity.properties.clientId}'
      Callback__PublicBaseUrl: 'https://${site.properties.defaultHostName}/api'
      // Self-healing: the sweep restarts a case whose workflow stopped, at its stored step (the app's default too).
      Imr__ReconcileRestart: 'true'
    },
    appSettings
  )
}

// No FTP or SCM basic-auth publishing: azd deploys to Flex Consumption with an Entra ID token.
resource ftpPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPolicy 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output uri string = 'https://${site.properties.defaultHostName}'
