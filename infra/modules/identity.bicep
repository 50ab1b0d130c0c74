// User-assigned managed identity used by the Function App for every data-plane call
// (storage, Key Vault references, Application Insights ingestion, Durable Task Scheduler).
// A user-assigned identity (rather than system-assigned) exists before the app, so its role
// assignments can be created first and the app starts with working access.

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output principalId string = identity.properties.principalId
output clientId string = identity.properties.clientId
