// Event Grid system topic for the storage account's events. The topic itself is harmless to
// create on the first deployment; the subscription that delivers to the app is created later
// (see intake-subscription.bicep and infra/README.md).

@description('Name of the system topic.')
param name string

@description('Azure region (same as the storage account).')
param location string

@description('Tags applied to the resource.')
param tags object

@description('Name of the storage account whose events the topic publishes.')
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
output id string = topic.id
